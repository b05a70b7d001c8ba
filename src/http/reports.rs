//! Reports as CSV for spreadsheets and BI tools: the same arguments (lists comma-separated) and access
//! rules as the GraphQL reports, RFC 4180 via the csv crate, a header row, `*` in suppressed cells.

use super::{Callers, error_response};
use crate::domain::OdsCode;
use crate::error::AppError;
use crate::graphql;
use crate::graphql::common::{NodeType, decode_id_of};
use crate::graphql::reports::ReportSettings;
use crate::services::access::Role;
use crate::services::access::Scope;
use crate::services::clock::Clock;
use crate::services::reports::{self, CohortGrouping, PlaceGrouping, ReportCache, ReportFilter, Suppression};
use poem::web::Data;
use poem::{IntoResponse, Request, handler, http::StatusCode};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Query parameters of a CSV report: the report's GraphQL arguments, with lists comma-separated.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReportParams {
    group_by: Option<String>,
    granularity: Option<String>,
    within_days: Option<u32>,
    icb_resolution: Option<String>,
    icb: Option<String>,
    region: Option<String>,
    programme: Option<String>,
    from: Option<String>,
    to: Option<String>,
    as_of: Option<String>,
}

fn list(text: Option<&str>) -> Vec<&str> {
    text.map(|text| text.split(',').map(str::trim).filter(|item| !item.is_empty()).collect()).unwrap_or_default()
}

impl ReportParams {
    /// The service filter, answering for `today` unless `asOf` says otherwise.
    fn filter(&self, today: chrono::NaiveDate) -> Result<ReportFilter, AppError> {
        let date = |field: &'static str, text: &Option<String>| {
            text.as_deref()
                .map(|text| {
                    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                        .map_err(|_| AppError::invalid(field, "is not a date in the form YYYY-MM-DD"))
                })
                .transpose()
        };
        let codes = |field: &'static str, text: &Option<String>| {
            list(text.as_deref())
                .into_iter()
                .map(|code| {
                    OdsCode::parse(code)
                        .map(|code| code.to_string())
                        .map_err(|_| AppError::invalid(field, "is not an ODS code"))
                })
                .collect::<Result<Vec<_>, _>>()
        };
        let resolution = match self.icb_resolution.as_deref() {
            None | Some("AT_EVENT") => reports::IcbResolution::AtEvent,
            Some("CURRENT_SUCCESSOR") => reports::IcbResolution::CurrentSuccessor,
            Some(_) => return Err(AppError::invalid("icbResolution", "must be AT_EVENT or CURRENT_SUCCESSOR")),
        };
        let (from, to) = (date("from", &self.from)?, date("to", &self.to)?);
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(AppError::invalid("to", "is before from"));
        }
        Ok(ReportFilter {
            icbs: codes("icb", &self.icb)?,
            regions: codes("region", &self.region)?,
            programmes: list(self.programme.as_deref())
                .into_iter()
                .map(|id| decode_id_of(NodeType::RotationProgramme, "programme", &async_graphql::ID(id.to_owned())))
                .collect::<Result<_, _>>()?,
            from,
            to,
            as_of: date("asOf", &self.as_of)?,
            today,
            resolution,
        })
    }

    /// Refuses `groupBy` for a report that has no grouping.
    fn no_grouping(&self) -> Result<(), AppError> {
        if self.group_by.is_some() {
            Err(AppError::invalid("groupBy", "does not apply to this report"))
        } else {
            Ok(())
        }
    }

    fn place_grouping(&self) -> Result<PlaceGrouping, AppError> {
        Ok(match self.group_by.as_deref() {
            Some("TRUST") => PlaceGrouping::Trust,
            None | Some("ICB") => PlaceGrouping::Icb,
            Some("REGION") => PlaceGrouping::Region,
            Some(_) => return Err(AppError::invalid("groupBy", "must be TRUST, ICB or REGION")),
        })
    }

    fn cohort_grouping(&self) -> Result<CohortGrouping, AppError> {
        Ok(match self.group_by.as_deref() {
            None | Some("COHORT") => CohortGrouping::Cohort,
            Some("PROGRAMME") => CohortGrouping::Programme,
            Some("ICB") => CohortGrouping::Icb,
            Some("REGION") => CohortGrouping::Region,
            Some(_) => return Err(AppError::invalid("groupBy", "must be COHORT, PROGRAMME, ICB or REGION")),
        })
    }
}

/// One CSV report request: the reader, its disclosure control, its parameters and the day it answers for.
struct CsvRequest<'a> {
    db: &'a DatabaseConnection,
    cache: &'a ReportCache,
    scope: &'a Scope,
    role: Option<Role>,
    suppression: Suppression,
    params: &'a ReportParams,
    today: chrono::NaiveDate,
}

impl CsvRequest<'_> {
    /// The service filter the parameters give.
    fn filter(&self) -> Result<ReportFilter, AppError> {
        self.params.filter(self.today)
    }

    /// The rows of `report`, kept while the data stays the same (see [`ReportCache`]), for the reader and
    /// the report's `arguments`.
    async fn kept<T: Clone + Send + Sync + 'static>(
        &self,
        report: &'static str,
        arguments: &impl std::fmt::Debug,
        rows: impl Future<Output = Result<Vec<T>, AppError>>,
    ) -> Result<Vec<T>, AppError> {
        self.cache.rows(self.db, (self.scope, self.suppression), report, arguments, rows).await
    }
}

/// A cell of a CSV report: the value, or `*` where it is suppressed.
fn cell<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(|| "*".to_owned(), |value| value.to_string())
}

/// A report as CSV (RFC 4180, header row first, `*` for suppressed cells), with the same arguments and
/// access rules as the GraphQL report, streamed in chunks.
#[handler]
pub(super) async fn report_csv(
    http_request: &Request,
    file: poem::web::Path<String>,
    endpoint: Data<&Arc<super::graphql::Endpoint>>,
    callers: Data<&Arc<Callers>>,
    settings: Data<&ReportSettings>,
    clock: Data<&Clock>,
) -> poem::Response {
    let (principal, scope) = match callers.identify(http_request) {
        Ok(caller) => caller,
        Err(error) => return error_response(poem::http::StatusCode::UNAUTHORIZED, &error),
    };
    let params: ReportParams = match http_request.uri().query() {
        Some(query) => match serde_urlencoded::from_str(query) {
            Ok(params) => params,
            Err(_) => {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    &AppError::invalid("query", "has unknown or malformed parameters"),
                );
            }
        },
        None => ReportParams::default(),
    };
    let suppression = Suppression::for_scope(&scope, settings.suppression_threshold, settings.rounding_base);
    let request = CsvRequest {
        db: &endpoint.api.databases().read,
        cache: &settings.cache,
        scope: &scope,
        role: principal.role,
        suppression,
        params: &params,
        today: clock.today(),
    };
    let result = match file.0.as_str() {
        "fill-rate.csv" => fill_rate_csv(&request).await,
        "cross-icb-flows.csv" => cross_icb_flows_csv(&request).await,
        "independent-prescribers.csv" => prescribers_csv(&request).await,
        "icb-medicines-leadership.csv" => leadership_csv(&request).await,
        "programmes-without-clinical-lead.csv" => programmes_without_lead_csv(&request).await,
        "consultant-lead-coverage.csv" => coverage_csv(&request).await,
        "open-vacancies.csv" => vacancies_csv(&request).await,
        "rotations-ending.csv" => rotations_ending_csv(&request).await,
        "placement-activity.csv" => activity_csv(&request).await,
        "icb-comparison.csv" => comparison_csv(&request).await,
        "icb-comparison-spread.csv" => comparison_spread_csv(&request).await,
        "pathways-without-consultant-lead.csv" => pathways_without_lead_csv(&request).await,
        "leads-without-change-management-training.csv" => change_management_csv(&request).await,
        "recruitment-competition.csv" => competition_csv(&request).await,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let succeeded = result.is_ok();
    let mut response = match result {
        Ok(records) => csv_response(records),
        Err(error @ AppError::Invalid { .. }) => error_response(StatusCode::BAD_REQUEST, &error),
        Err(error @ AppError::Busy) => error_response(StatusCode::SERVICE_UNAVAILABLE, &error),
        Err(error @ AppError::Forbidden(_)) => error_response(StatusCode::FORBIDDEN, &error),
        Err(error) => error_response(StatusCode::INTERNAL_SERVER_ERROR, &error),
    };
    super::mark_caching(&mut response, principal.role.is_none(), succeeded);
    response
}

async fn fill_rate_csv(request: &CsvRequest<'_>) -> Result<Vec<Vec<String>>, AppError> {
    let grouping = request.params.cohort_grouping()?;
    let filter = request.filter()?;
    let rows = request
        .kept(
            "fill_rate",
            &(&filter, grouping),
            reports::fill_rate(request.db, request.scope, request.suppression, &filter, grouping),
        )
        .await?;
    let header = [
        "group_id",
        "group_code",
        "group_name",
        "places_offered",
        "offered",
        "accepted",
        "active",
        "completed",
        "withdrawn",
        "fill_rate",
    ];
    let mut records = vec![header.iter().map(|name| (*name).to_owned()).collect::<Vec<_>>()];
    for row in rows {
        let row = graphql::reports::fill_rate_row(row, grouping);
        records.push(vec![
            row.group.id.0,
            row.group.code,
            row.group.name,
            row.places_offered.to_string(),
            cell(row.offered.value),
            cell(row.accepted.value),
            cell(row.active.value),
            cell(row.completed.value),
            cell(row.withdrawn.value),
            if row.fill_rate.suppressed {
                "*".to_owned()
            } else {
                row.fill_rate.value.map(|rate| rate.to_string()).unwrap_or_default()
            },
        ]);
    }
    Ok(records)
}

async fn prescribers_csv(request: &CsvRequest<'_>) -> Result<Vec<Vec<String>>, AppError> {
    let grouping = request.params.cohort_grouping()?;
    let filter = request.filter()?;
    let rows = request
        .kept(
            "independent_prescribers",
            &(&filter, grouping),
            reports::independent_prescribers(request.db, request.scope, request.suppression, &filter, grouping),
        )
        .await?;
    let mut records = header_record(&["group_id", "group_code", "group_name", "members", "prescribers", "share"]);
    for row in rows {
        let row = graphql::reports::prescriber_row(row, grouping);
        records.push(vec![
            row.group.id.0,
            row.group.code,
            row.group.name,
            cell(row.members.value),
            cell(row.prescribers.value),
            figure(row.share),
        ]);
    }
    Ok(records)
}

async fn leadership_csv(request: &CsvRequest<'_>) -> Result<Vec<Vec<String>>, AppError> {
    request.params.no_grouping()?;
    let filter = request.filter()?;
    let rows = request
        .kept(
            "icb_medicines_leadership",
            &(&filter,),
            reports::icb_medicines_leadership(request.db, request.scope, &filter),
        )
        .await?;
    let mut records = header_record(&[
        "icb_id",
        "icb_code",
        "icb_name",
        "board_medicines_lead",
        "chief_pharmacist",
        "director_of_medicines_optimisation",
    ]);
    for row in rows {
        let row = graphql::reports::leadership_row(row);
        records.push(vec![
            row.icb.id.0,
            row.icb.code,
            row.icb.name,
            row.board_medicines_lead.to_string(),
            row.chief_pharmacist.to_string(),
            row.director_of_medicines_optimisation.to_string(),
        ]);
    }
    Ok(records)
}

async fn programmes_without_lead_csv(request: &CsvRequest<'_>) -> Result<Vec<Vec<String>>, AppError> {
    request.params.no_grouping()?;
    let filter = request.filter()?;
    let rows = request
        .kept(
            "programmes_without_clinical_lead",
            &(&filter,),
            reports::programmes_without_clinical_lead(request.db, request.scope, &filter),
        )
        .await?;
    let mut records = header_record(&["programme_id", "programme_code", "programme_name"]);
    for row in rows {
        let group = graphql::reports::programme_group(row);
        records.push(vec![group.id.0, group.code, group.name]);
    }
    Ok(records)
}

async fn coverage_csv(request: &CsvRequest<'_>) -> Result<Vec<Vec<String>>, AppError> {
    request.params.no_grouping()?;
    let filter = request.filter()?;
    let rows = request
        .kept(
            "consultant_lead_coverage",
            &(&filter,),
            reports::consultant_lead_coverage(request.db, request.scope, &filter),
        )
        .await?;
    let mut records = header_record(&["trust_id", "trust_code", "trust_name", "specialisms"]);
    for row in rows {
        let specialisms: Vec<String> = row.specialisms.iter().map(sea_orm::ActiveEnum::to_value).collect();
        let row = graphql::reports::coverage_row(row);
        records.push(vec![row.trust.id.0, row.trust.code, row.trust.name, specialisms.join(";")]);
    }
    Ok(records)
}

async fn activity_csv(request: &CsvRequest<'_>) -> Result<Vec<Vec<String>>, AppError> {
    request.params.no_grouping()?;
    let granularity = match request.params.granularity.as_deref() {
        None | Some("MONTH") => reports::Granularity::Month,
        Some("NHS_FINANCIAL_YEAR") => reports::Granularity::NhsFinancialYear,
        Some(_) => return Err(AppError::invalid("granularity", "must be MONTH or NHS_FINANCIAL_YEAR")),
    };
    let filter = request.filter()?;
    let rows = request
        .kept(
            "placement_activity",
            &(&filter, granularity),
            reports::placement_activity(request.db, request.scope, request.suppression, &filter, granularity),
        )
        .await?;
    let mut records =
        header_record(&["period", "period_start", "period_end", "sector", "placements", "pharmacist_months", "wte"]);
    for row in rows {
        let sector = sea_orm::ActiveEnum::to_value(&row.sector);
        let row = graphql::reports::activity_row(row);
        records.push(vec![
            row.period,
            row.period_start.0.to_string(),
            row.period_end.0.to_string(),
            sector,
            cell(row.placements.value),
            figure(row.pharmacist_months),
            figure(row.wte),
        ]);
    }
    Ok(records)
}

async fn rotations_ending_csv(request: &CsvRequest<'_>) -> Result<Vec<Vec<String>>, AppError> {
    let grouping = request.params.cohort_grouping()?;
    let within_days = request
        .params
        .within_days
        .filter(|days| *days <= 3660)
        .ok_or_else(|| AppError::invalid("withinDays", "is required, at most 3660"))?;
    let filter = request.filter()?;
    let rows = request
        .kept(
            "rotations_ending",
            &(&filter, grouping, within_days),
            reports::rotations_ending(request.db, request.scope, request.suppression, &filter, grouping, within_days),
        )
        .await?;
    let mut records =
        header_record(&["group_id", "group_code", "group_name", "active", "ending", "without_next_placement"]);
    for row in rows {
        let row = graphql::reports::rotations_ending_row(row, grouping);
        records.push(vec![
            row.group.id.0,
            row.group.code,
            row.group.name,
            cell(row.active.value),
            cell(row.ending.value),
            cell(row.without_next_placement.value),
        ]);
    }
    Ok(records)
}

async fn vacancies_csv(request: &CsvRequest<'_>) -> Result<Vec<Vec<String>>, AppError> {
    request.params.no_grouping()?;
    let filter = request.filter()?;
    let rows = request
        .kept(
            "open_vacancies",
            &(&filter,),
            reports::open_vacancies(request.db, request.scope, request.suppression, &filter),
        )
        .await?;
    let mut records = header_record(&[
        "sector",
        "afc_band",
        "icb_id",
        "icb_code",
        "icb_name",
        "vacancies",
        "wte",
        "arrs",
        "existing_vacancy",
        "trust",
        "other",
    ]);
    for row in rows {
        let (sector, band) =
            (sea_orm::ActiveEnum::to_value(&row.sector), row.afc_band.map(|band| sea_orm::ActiveEnum::to_value(&band)));
        let row = graphql::reports::vacancy_row(row);
        records.push(vec![
            sector,
            band.unwrap_or_default(),
            row.icb.id.0,
            row.icb.code,
            row.icb.name,
            cell(row.vacancies.value),
            figure(row.wte),
            cell(row.arrs.value),
            cell(row.existing_vacancy.value),
            cell(row.trust.value),
            cell(row.other.value),
        ]);
    }
    Ok(records)
}

/// The records of a CSV report, starting with its header.
fn header_record(names: &[&str]) -> Vec<Vec<String>> {
    vec![names.iter().map(|name| (*name).to_owned()).collect()]
}

/// A suppressible figure's CSV cell: `*` when suppressed, empty when there is none.
fn figure(figure: graphql::reports::ReportFigure) -> String {
    if figure.suppressed { "*".to_owned() } else { figure.value.map(|value| value.to_string()).unwrap_or_default() }
}

async fn cross_icb_flows_csv(request: &CsvRequest<'_>) -> Result<Vec<Vec<String>>, AppError> {
    request.params.no_grouping()?;
    let filter = request.filter()?;
    let rows = request
        .kept(
            "cross_icb_flows",
            &(&filter,),
            reports::cross_icb_flows(request.db, request.scope, request.suppression, &filter),
        )
        .await?;
    let mut records = header_record(&[
        "owner_id",
        "owner_code",
        "owner_name",
        "host_id",
        "host_code",
        "host_name",
        "placements",
        "wte",
    ]);
    for row in rows {
        let row = graphql::reports::cross_icb_flow_row(row);
        records.push(vec![
            row.owner.id.0,
            row.owner.code,
            row.owner.name,
            row.host.id.0,
            row.host.code,
            row.host.name,
            cell(row.placements.value),
            figure(row.wte),
        ]);
    }
    Ok(records)
}

/// The rows of the ICB comparison, as the GraphQL report keeps them.
async fn comparison_rows(request: &CsvRequest<'_>) -> Result<Vec<reports::IcbComparisonRow>, AppError> {
    request.params.no_grouping()?;
    let filter = request.filter()?;
    request
        .kept(
            "icb_comparison",
            &(&filter,),
            reports::icb_comparison(request.db, request.scope, request.suppression, &filter),
        )
        .await
}

/// A number that may be absent: empty when it is.
fn optional(value: Option<f64>) -> String {
    value.map(|value| value.to_string()).unwrap_or_default()
}

async fn comparison_csv(request: &CsvRequest<'_>) -> Result<Vec<Vec<String>>, AppError> {
    let rows = comparison_rows(request).await?;
    let mut records = header_record(&[
        "icb_id",
        "icb_code",
        "icb_name",
        "region_code",
        "board_medicines_lead",
        "chief_pharmacist",
        "team_wte",
        "transformational_share",
        "programmes",
        "places",
        "consultant_leads",
        "pathways",
        "consultant_led_pathways",
        "redesigns",
        "redesigns_team_from_start",
        "team_from_start_share",
        "redesigns_with_social_care",
        "social_care_share",
    ]);
    for row in rows {
        let row = graphql::reports::medicines::comparison_row(row);
        records.push(vec![
            row.icb.id.0,
            row.icb.code,
            row.icb.name,
            row.region.map(|region| region.code).unwrap_or_default(),
            row.board_medicines_lead.to_string(),
            row.chief_pharmacist.to_string(),
            row.team_wte.to_string(),
            optional(row.transformational_share),
            row.programmes.to_string(),
            row.places.to_string(),
            cell(row.consultant_leads.value),
            row.pathways.to_string(),
            row.consultant_led_pathways.to_string(),
            row.redesigns.to_string(),
            row.redesigns_team_from_start.to_string(),
            optional(row.team_from_start_share),
            row.redesigns_with_social_care.to_string(),
            optional(row.social_care_share),
        ]);
    }
    Ok(records)
}

async fn comparison_spread_csv(request: &CsvRequest<'_>) -> Result<Vec<Vec<String>>, AppError> {
    let rows = comparison_rows(request).await?;
    let spreads = reports::comparison_spread(request.role, request.scope, &rows)?;
    let mut records = header_record(&[
        "region_code",
        "region_name",
        "icbs",
        "with_board_medicines_lead",
        "with_chief_pharmacist",
        "measure",
        "measure_icbs",
        "minimum",
        "median",
        "maximum",
    ]);
    for spread in spreads {
        let (code, region_name) = spread.region.map(|region| (region.code, region.name)).unwrap_or_default();
        for measure in spread.measures {
            records.push(vec![
                code.clone(),
                region_name.clone(),
                spread.icbs.to_string(),
                spread.with_board_medicines_lead.to_string(),
                spread.with_chief_pharmacist.to_string(),
                measure.measure.code().to_owned(),
                measure.icbs.to_string(),
                optional(measure.minimum),
                optional(measure.median),
                optional(measure.maximum),
            ]);
        }
    }
    Ok(records)
}

async fn pathways_without_lead_csv(request: &CsvRequest<'_>) -> Result<Vec<Vec<String>>, AppError> {
    request.params.no_grouping()?;
    let filter = request.filter()?;
    let rows = request
        .kept(
            "pathways_without_consultant_lead",
            &(&filter,),
            reports::pathways_without_lead(request.db, request.scope, &filter),
        )
        .await?;
    let mut records = header_record(&[
        "pathway_id",
        "name",
        "specialism",
        "status",
        "start_on",
        "owner_icb_code",
        "icb_codes",
        "lead_not_in_post",
    ]);
    for row in rows {
        let (specialism, status) =
            (sea_orm::ActiveEnum::to_value(&row.specialism), sea_orm::ActiveEnum::to_value(&row.status));
        let row = graphql::reports::medicines::pathway_without_lead_row(row);
        let icbs: Vec<String> = row.icbs.into_iter().map(|icb| icb.code).collect();
        records.push(vec![
            row.id.0,
            row.name,
            specialism,
            status,
            row.start_on.0.to_string(),
            row.owner_icb.code,
            icbs.join(";"),
            row.lead_not_in_post.to_string(),
        ]);
    }
    Ok(records)
}

async fn change_management_csv(request: &CsvRequest<'_>) -> Result<Vec<Vec<String>>, AppError> {
    let grouping = request.params.place_grouping()?;
    let filter = request.filter()?;
    let rows = request
        .kept(
            "leads_without_change_management_training",
            &(&filter, grouping),
            reports::change_management_training(request.db, request.scope, request.suppression, &filter, grouping),
        )
        .await?;
    let mut records =
        header_record(&["group_id", "group_code", "group_name", "leads", "untrained", "in_training", "trained"]);
    for row in rows {
        let row = graphql::reports::medicines::change_management_row(row);
        records.push(vec![
            row.group.id.0,
            row.group.code,
            row.group.name,
            cell(row.leads.value),
            cell(row.untrained.value),
            cell(row.in_training.value),
            cell(row.trained.value),
        ]);
    }
    Ok(records)
}

async fn competition_csv(request: &CsvRequest<'_>) -> Result<Vec<Vec<String>>, AppError> {
    let grouping = request.params.place_grouping()?;
    let filter = request.filter()?;
    let rows = request
        .kept(
            "recruitment_competition",
            &(&filter, grouping),
            reports::recruitment_competition(request.db, request.scope, request.suppression, &filter, grouping),
        )
        .await?;
    let mut records = header_record(&[
        "group_id",
        "group_code",
        "group_name",
        "afc_band",
        "primary_care_vacancies",
        "primary_care_wte",
        "trust_vacancies",
        "trust_wte",
    ]);
    for row in rows {
        let band = sea_orm::ActiveEnum::to_value(&row.afc_band);
        let row = graphql::reports::medicines::competition_row(row);
        records.push(vec![
            row.group.id.0,
            row.group.code,
            row.group.name,
            band,
            cell(row.primary_care_vacancies.value),
            figure(row.primary_care_wte),
            cell(row.trust_vacancies.value),
            figure(row.trust_wte),
        ]);
    }
    Ok(records)
}

/// Streams records as CSV, a chunk of rows at a time.
fn csv_response(records: Vec<Vec<String>>) -> poem::Response {
    const ROWS_PER_CHUNK: usize = 500;
    let mut records = records.into_iter().peekable();
    let mut chunks: Vec<Vec<Vec<String>>> = Vec::new();
    while records.peek().is_some() {
        chunks.push(records.by_ref().take(ROWS_PER_CHUNK).collect());
    }
    let stream = futures_util::stream::iter(chunks.into_iter().map(|chunk| {
        let mut writer = csv::Writer::from_writer(Vec::new());
        for record in &chunk {
            writer.write_record(record).map_err(std::io::Error::other)?;
        }
        writer.into_inner().map_err(|error| std::io::Error::other(error.to_string()))
    }));
    poem::Response::builder().content_type("text/csv; charset=utf-8").body(poem::Body::from_bytes_stream(stream))
}
