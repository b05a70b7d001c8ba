// The regional dashboard: the fill rate by ICB of a region, live over graphql-ws (`fillRateChanged`),
// and the region's ICB comparison, read over HTTP and read again whenever the fill rate moves. A token
// pasted into the form goes in `Authorization` (HTTP) and in `connection_init` (graphql-ws); without one,
// the public view: the fill rate, disclosure-controlled (the comparison covers the ICBs a reader answers
// for, so it is empty without a token). Served by rotagraph it talks to its own
// origin; a copy served elsewhere names the API with `?api=https://rotagraph.example` (an origin the
// server allows with `--cors-allowed-origins`).
'use strict';

const API = new URL(new URLSearchParams(location.search).get('api') || location.origin).origin;

const FILL_RATE = `subscription ($region: [OdsCode!]) {
  fillRateChanged(groupBy: ICB, icbResolution: CURRENT_SUCCESSOR, filter: { region: $region }) {
    group { code name } placesOffered
    accepted { value suppressed } active { value suppressed } fillRate { value suppressed }
  }
}`;

const COMPARISON = `query ($region: [OdsCode!]) {
  reports {
    icbComparison(filter: { region: $region }) {
      rows { icb { code name } boardMedicinesLead chiefPharmacist teamWte programmes places
             consultantLeads { value suppressed } }
    }
  }
}`;

const form = document.getElementById('connect');
const status = document.getElementById('status');
let client = null;

function say(message, isError = false) {
  status.textContent = message;
  status.classList.toggle('error', isError);
}

// A cell's text: a figure, `*` when suppressed, `-` when absent.
function figure(value) {
  if (value && typeof value === 'object' && 'suppressed' in value) return value.suppressed ? '*' : figure(value.value);
  if (value === null || value === undefined) return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

function fillTable(table, rows) {
  const body = document.querySelector(`#${table} tbody`);
  body.replaceChildren(
    ...rows.map((cells) => {
      const row = document.createElement('tr');
      for (const cell of cells) {
        const td = document.createElement('td');
        td.textContent = figure(cell);
        if (typeof cell === 'number' || (cell && typeof cell === 'object')) td.className = 'number';
        row.append(td);
      }
      return row;
    }),
  );
}

function drawChart(rows) {
  const chart = document.getElementById('chart');
  chart.replaceChildren(
    ...rows.flatMap((row) => {
      const label = document.createElement('span');
      label.textContent = row.group.code;
      const bar = document.createElement('div');
      bar.className = 'bar';
      const share = row.fillRate.value ?? 0;
      bar.style.width = `${Math.round(Math.min(share, 1) * 100)}%`;
      const text = document.createElement('span');
      text.textContent = row.fillRate.suppressed ? '*' : `${Math.round(share * 100)}%`;
      return [label, bar, text];
    }),
  );
}

async function readComparison(token, region) {
  const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${API}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: COMPARISON, variables: { region } }) });
  const answer = await response.json();
  if (answer.errors) throw new Error(answer.errors.map((error) => error.message).join('; '));
  const rows = answer.data.reports.icbComparison.rows;
  fillTable('comparison', rows.map((row) => [row.icb.code, row.boardMedicinesLead, row.chiefPharmacist, row.teamWte, row.programmes, row.places, row.consultantLeads]));
}

function connect(token, region) {
  if (client) client.dispose();
  const api = new URL(API);
  const url = `${api.protocol === 'https:' ? 'wss:' : 'ws:'}//${api.host}/graphql`;
  client = graphqlWs.createClient({ url, connectionParams: token ? { Authorization: `Bearer ${token}` } : {} });
  say('Connecting...');
  client.subscribe(
    { query: FILL_RATE, variables: { region } },
    {
      next(answer) {
        if (answer.errors) {
          say(answer.errors.map((error) => error.message).join('; '), true);
          return;
        }
        const rows = answer.data.fillRateChanged;
        fillTable('fill-rate', rows.map((row) => [row.group.code, row.group.name, row.placesOffered, row.accepted, row.active, row.fillRate]));
        drawChart(rows);
        say(`Live: ${rows.length} ICB(s) of ${region.join(', ')}, updated ${new Date().toLocaleTimeString()}.`);
        readComparison(token, region).catch((error) => say(error.message, true));
      },
      error(error) {
        say(error instanceof Error ? error.message : 'The connection was refused (is the token valid?).', true);
      },
      complete() {
        say('The server ended the subscription.');
      },
    },
  );
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = document.getElementById('token').value.trim().replace(/^Bearer\s+/i, '');
  const region = [document.getElementById('region').value.trim().toUpperCase()];
  connect(token, region);
});
