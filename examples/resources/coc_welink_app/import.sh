# Only with the build tag fourthplatform: a test-only platform (CONTRIBUTING.md, "Adding a platform").
# A WeLink binding is imported by the client_id of the bound app.
terraform import coc_welink_app.this 20200604115253409614
