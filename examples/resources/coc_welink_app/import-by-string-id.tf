# Only with the build tag fourthplatform: a test-only platform (CONTRIBUTING.md, "Adding a platform").
# Adopt the WeLink binding made on the console: its client_id is the import ID. COC never
# returns secrets, so the first plan also sets the configured one (an in-place update).
import {
  to = coc_welink_app.this
  id = "20200604115253409614"
}
