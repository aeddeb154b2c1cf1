# Only with the build tag fourthplatform: a test-only platform (CONTRIBUTING.md, "Adding a platform").
terraform {
  required_providers {
    coc = {
      source = "cocops/coc"
    }
  }
}

# The alternative to a write-only secret: the value is stored, marked sensitive, in the state.
variable "welink_client_secret" {
  type      = string
  sensitive = true
}

resource "coc_welink_app" "this" {
  client_id     = "20200604115253409614"
  tenant_id     = "tenant-0001"
  service_id    = "welink-svc-0001"
  client_secret = var.welink_client_secret
}
