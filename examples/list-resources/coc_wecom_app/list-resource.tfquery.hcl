# Finds the WeCom app bound in the provider's tenant. Run: terraform query
list "coc_wecom_app" "console" {
  provider = coc

  # Also return enterprise_id and service_id, which -generate-config-out needs.
  include_resource = true
}
