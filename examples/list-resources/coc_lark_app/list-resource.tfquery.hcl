# Finds the Lark app bound in the provider's tenant. Run: terraform query
list "coc_lark_app" "console" {
  provider = coc

  # Also return app_id and service_id, which -generate-config-out needs.
  include_resource = true
}
