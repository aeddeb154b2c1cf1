# Finds the DingTalk app bound in the provider's tenant. Run: terraform query
list "coc_dingtalk_app" "console" {
  provider = coc

  # Also return client_id, group_template_id, robot_id and service_id, which
  # -generate-config-out needs.
  include_resource = true
}
