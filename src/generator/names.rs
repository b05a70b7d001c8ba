//! Word lists for synthetic names. People's names are common given and family names combined at random;
//! place names are made-up compounds, so no generated organisation is named after a real one.

pub const GIVEN_NAMES: [&str; 48] = [
    "Aisha", "Alex", "Amara", "Amelia", "Arjun", "Ben", "Chen", "Chloe", "Daniel", "Divya", "Elena", "Emeka", "Fatima",
    "Finn", "Grace", "Hannah", "Harpreet", "Isaac", "Isla", "Jack", "Jade", "James", "Kemi", "Laura", "Leah", "Liam",
    "Maya", "Mohammed", "Nadia", "Noah", "Olivia", "Omar", "Priya", "Rachel", "Ravi", "Rosa", "Ruth", "Sam", "Sara",
    "Sofia", "Tariq", "Tom", "Uma", "Victor", "Wei", "Yasmin", "Zainab", "Zoe",
];

pub const FAMILY_NAMES: [&str; 48] = [
    "Adeyemi",
    "Ahmed",
    "Ali",
    "Bailey",
    "Begum",
    "Brown",
    "Campbell",
    "Chan",
    "Clarke",
    "Davies",
    "Desai",
    "Evans",
    "Fernandes",
    "Fletcher",
    "Green",
    "Gupta",
    "Hall",
    "Hughes",
    "Hussain",
    "Iqbal",
    "Jackson",
    "James",
    "Jones",
    "Kaur",
    "Khan",
    "Kowalski",
    "Lee",
    "Lewis",
    "Martin",
    "Mensah",
    "Morris",
    "Nguyen",
    "Novak",
    "Okafor",
    "Owen",
    "Patel",
    "Roberts",
    "Robinson",
    "Shah",
    "Singh",
    "Smith",
    "Taylor",
    "Thomas",
    "Walker",
    "Ward",
    "Williams",
    "Wilson",
    "Wright",
];

pub const PLACE_STARTS: [&str; 24] = [
    "Ash", "Bar", "Bram", "Cal", "Cold", "Dun", "Elm", "Fen", "Gold", "Hal", "Hart", "Holm", "Kings", "Lang", "Marl",
    "Nor", "Oak", "Pen", "Red", "Sand", "Stan", "Thorn", "Wel", "Wyn",
];

pub const PLACE_ENDS: [&str; 12] =
    ["brook", "bury", "combe", "field", "ford", "ham", "ley", "mere", "stead", "thorpe", "ton", "wick"];

pub const LEAVING_REASONS: [&str; 5] = [
    "Moved to a substantive post in the same ICB",
    "Relocated outside the region",
    "Left pharmacy practice",
    "Career break",
    "Moved to a hospital foundation post",
];

pub const SPECIALISM_DETAILS: [&str; 3] = ["Renal medicine", "Palliative care", "Diabetes"];
