terraform {
  required_providers {
    coc = {
      source = "cocops/coc"
    }
  }
}

# Ephemeral variables (Terraform 1.10 and later) are never written to the plan or the state.
# Set it from your secret store, for example as TF_VAR_dingtalk_client_secret.
variable "dingtalk_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "coc_dingtalk_app" "this" {
  client_id         = "dingabcdefghij012345"
  group_template_id = "tpl-0001"
  robot_id          = "robot-0001"
  service_id        = "2000001"

  # Write-only (Terraform 1.11 and later): sent to COC, never stored in the state.
  # To rotate the secret, give it its new value and increase the version.
  client_secret_wo         = var.dingtalk_client_secret
  client_secret_wo_version = 1
}
