# The demo's credentials and receiver addresses; `source` it before running the demo pipeline.
#
# The API sources replay committed cassettes (examples/online-school/cassettes/): replay
# matches requests with secrets redacted, so any value works. The connectors deliver to the
# loopback receivers of online-school-receivers (started by scripts/demo.sh), which accept
# exactly these credentials and listen on these addresses. Against the real services, export
# your own values (and the services' URLs) instead of sourcing this file.
export MATOMO_TOKEN="${MATOMO_TOKEN:-0123456789abcdef0123456789abcdef}"
export MAILCHIMP_API_KEY="${MAILCHIMP_API_KEY:-00000000000000000000000000000000-us6}"
export GOOGLE_ACCESS_TOKEN="${GOOGLE_ACCESS_TOKEN:-ya29.static-access-token}"
export TRUSTPILOT_API_KEY="${TRUSTPILOT_API_KEY:-tp-mock-api-key-0123456789}"
export TRUSTPILOT_ACCESS_TOKEN="${TRUSTPILOT_ACCESS_TOKEN:-tp-mock-business-access-token}"
export HUBSPOT_ACCESS_TOKEN="${HUBSPOT_ACCESS_TOKEN:-pat-na1-11111111-2222-3333-4444-555555555555}"
export WEBHOOK_SECRET="${WEBHOOK_SECRET:-whsec_demo_0123456789}"
export CLICKHOUSE_PASSWORD="${CLICKHOUSE_PASSWORD:-demo-writer-pass}"
export JK_DEMO_HUBSPOT_URL="${JK_DEMO_HUBSPOT_URL:-http://127.0.0.1:18461}"
export JK_DEMO_MAILCHIMP_URL="${JK_DEMO_MAILCHIMP_URL:-http://127.0.0.1:18462/3.0}"
export JK_DEMO_WEBHOOK_URL="${JK_DEMO_WEBHOOK_URL:-http://127.0.0.1:18463/journeykit}"
export JK_DEMO_CLICKHOUSE_URL="${JK_DEMO_CLICKHOUSE_URL:-http://127.0.0.1:18464}"
