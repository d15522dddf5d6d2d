// duckdb_funnel.mjs — the DuckDB side of bench/compare.sh (issue 7 §1).
//
//   node duckdb_funnel.mjs --file events.ndjson [--steps page_view,sign_up,add_to_cart,purchase]
//                          [--window-ms 604800000] [--threads N] [--repeat N] [--check-ties]
//
// One SQL statement goes from the NDJSON file (read_json_auto) to the per-step counts of an
// ordered funnel with ClickHouse windowFunnel semantics (default mode):
//   per user, the level is the largest k such that some event of step 1 at t0 is followed,
//   in time order, by events of steps 2..k, each strictly later than the previous one and all
//   at or before t0 + window (inclusive); users without a step-1 event have level 0.
//   reached[k] = number of users whose level is at least k + 1.
// For a fixed entry t0, taking at every step the earliest matching event after the previous
// one reaches the furthest step (any later choice leaves less room), so a chain of ASOF joins
// ("the first event of step k+1 after the step-k event") computes each entry's level exactly;
// the user's level is the maximum over entries, which is windowFunnel's longest chain.
// Ties: windowFunnel orders equal timestamps by condition index; JourneyKit by arrival. The
// generated data has no two funnel events of one user at the same millisecond; --check-ties
// verifies that (an untimed second query) so that the three engines are comparable.
//
// Prints one JSON object: {"reached":[...],"seconds":{"query":..},"cpu_seconds":..,...}.
import { DuckDBInstance, version } from '@duckdb/node-api';
import { performance } from 'node:perf_hooks';

function parseArgs(argv) {
  const o = {
    file: '',
    steps: 'page_view,sign_up,add_to_cart,purchase',
    windowMs: 7 * 86400 * 1000,
    threads: 0,
    repeat: 1,
    checkTies: false,
  };
  for (let i = 2; i < argv.length; ++i) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--file') o.file = next();
    else if (a === '--steps') o.steps = next();
    else if (a === '--window-ms') o.windowMs = Number(next());
    else if (a === '--threads') o.threads = Number(next());
    else if (a === '--repeat') o.repeat = Math.max(1, Number(next()));
    else if (a === '--check-ties') o.checkTies = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (!o.file) throw new Error('--file is required');
  if (!Number.isSafeInteger(o.windowMs) || o.windowMs < 0) throw new Error('--window-ms: integer');
  return o;
}

const quote = (s) => `'${String(s).replaceAll("'", "''")}'`;

function funnelSql(file, steps, windowMs) {
  const n = steps.length;
  const source = `read_json_auto(${quote(file)}, format = 'newline_delimited')`;
  const parts = [];
  parts.push(`ev AS (
    SELECT user_id, ts, action FROM ${source}
    WHERE action IN (${steps.map(quote).join(', ')}))`);
  for (let k = 0; k < n; ++k) {
    parts.push(`s${k} AS (SELECT user_id, ts FROM ev WHERE action = ${quote(steps[k])})`);
  }
  // c0: one row per entry (t0 = t_0). c_k: the first step-k event after t_{k-1}, kept only
  // when it is inside the window (otherwise NULL, and the chain stops there). The explicit
  // "t_{k-1} IS NOT NULL" matters: DuckDB 1.5's ASOF LEFT JOIN can match a row whose
  // inequality key is NULL (seen on the 2M-event file, not on small ones), which would let a
  // broken chain pick up later steps.
  parts.push(`c0 AS (SELECT user_id, ts AS t0, ts AS t_0 FROM s0)`);
  const carried = ['user_id', 't0'];
  for (let k = 1; k < n; ++k) {
    carried.push(`t_${k - 1}`);
    parts.push(`c${k} AS (
    SELECT ${carried.map((c) => `c.${c}`).join(', ')},
           CASE WHEN c.t_${k - 1} IS NOT NULL AND s.ts <= c.t0 + ${windowMs} THEN s.ts END AS t_${k}
    FROM c${k - 1} c ASOF LEFT JOIN s${k} s ON c.user_id = s.user_id AND s.ts > c.t_${k - 1})`);
  }
  const levelTerms = ['1'];
  for (let k = 1; k < n; ++k) levelTerms.push(`(t_${k} IS NOT NULL)::INTEGER`);
  parts.push(`levels AS (
    SELECT user_id, max(${levelTerms.join(' + ')}) AS level FROM c${n - 1} GROUP BY user_id)`);
  const counts = [];
  for (let k = 1; k <= n; ++k) counts.push(`count(*) FILTER (WHERE level >= ${k}) AS r${k}`);
  return `WITH ${parts.join(',\n  ')}\nSELECT ${counts.join(', ')} FROM levels`;
}

function tiesSql(file, steps) {
  return `SELECT count(*) AS ties FROM (
    SELECT user_id, ts FROM read_json_auto(${quote(file)}, format = 'newline_delimited')
    WHERE action IN (${steps.map(quote).join(', ')})
    GROUP BY user_id, ts HAVING count(*) > 1)`;
}

async function main() {
  const o = parseArgs(process.argv);
  const steps = o.steps.split(',');
  const config = o.threads > 0 ? { threads: String(o.threads) } : {};
  const instance = await DuckDBInstance.create(':memory:', config);
  const connection = await instance.connect();
  const threads = (await connection.runAndReadAll(`SELECT current_setting('threads') AS t`))
    .getRowObjects()[0].t;
  const sql = funnelSql(o.file, steps, o.windowMs);

  let best = null;
  for (let r = 0; r < o.repeat; ++r) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const reader = await connection.runAndReadAll(sql);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const row = reader.getRowObjects()[0];
    const reached = steps.map((_, k) => Number(row[`r${k + 1}`]));
    if (best && JSON.stringify(best.reached) !== JSON.stringify(reached)) {
      throw new Error('the counts changed between repeats');
    }
    if (!best || seconds < best.seconds) {
      best = { reached, seconds, cpu: (cpu.user + cpu.system) / 1e6 };
    }
  }
  let ties = null;
  if (o.checkTies) {
    ties = Number((await connection.runAndReadAll(tiesSql(o.file, steps))).getRowObjects()[0].ties);
  }
  const out = {
    engine: 'duckdb',
    version: version(),
    threads: Number(threads),
    steps,
    window_ms: o.windowMs,
    reached: best.reached,
    seconds: { query: Number(best.seconds.toFixed(4)) },
    cpu_seconds: Number(best.cpu.toFixed(3)),
    ties,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(`duckdb_funnel.mjs: ${e.stack || e}\n`);
  process.exit(1);
});
