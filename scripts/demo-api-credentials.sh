# Dummy credentials for the demo's API sources, which replay committed cassettes
# (examples/online-school/cassettes/): replay matches requests with secrets redacted, so any
# value works. Against the real services, export your own instead of sourcing this file.
export MATOMO_TOKEN="${MATOMO_TOKEN:-0123456789abcdef0123456789abcdef}"
export MAILCHIMP_API_KEY="${MAILCHIMP_API_KEY:-00000000000000000000000000000000-us6}"
export GOOGLE_ACCESS_TOKEN="${GOOGLE_ACCESS_TOKEN:-ya29.static-access-token}"
export TRUSTPILOT_API_KEY="${TRUSTPILOT_API_KEY:-tp-mock-api-key-0123456789}"
export TRUSTPILOT_ACCESS_TOKEN="${TRUSTPILOT_ACCESS_TOKEN:-tp-mock-business-access-token}"
