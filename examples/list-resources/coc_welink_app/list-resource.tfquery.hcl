# Only with the build tag fourthplatform: a test-only platform (CONTRIBUTING.md, "Adding a platform").
# Finds the WeLink app bound in the provider's tenant. Run: terraform query
list "coc_welink_app" "console" {
  provider = coc

  # Also return client_id, tenant_id and service_id, which -generate-config-out needs.
  include_resource = true
}
