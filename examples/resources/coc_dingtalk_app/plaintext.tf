terraform {
  required_providers {
    coc = {
      source = "cocops/coc"
    }
  }
}

# The alternative to a write-only secret: the value is stored, marked sensitive, in the state.
variable "dingtalk_client_secret" {
  type      = string
  sensitive = true
}

resource "coc_dingtalk_app" "this" {
  client_id         = "dingabcdefghij012345"
  group_template_id = "tpl-0001"
  robot_id          = "robot-0001"
  service_id        = "2000001"
  client_secret     = var.dingtalk_client_secret
}
