# Only with the build tag fourthplatform: a test-only platform (CONTRIBUTING.md, "Adding a platform").
terraform {
  required_providers {
    coc = {
      source = "cocops/coc"
    }
  }
}

# Ephemeral variables (Terraform 1.10 and later) are never written to the plan or the state.
# Set it from your secret store, for example as TF_VAR_welink_client_secret.
variable "welink_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "coc_welink_app" "this" {
  client_id  = "20200604115253409614"
  tenant_id  = "tenant-0001"
  service_id = "welink-svc-0001"

  # Write-only (Terraform 1.11 and later): sent to COC, never stored in the state.
  # To rotate the secret, give it its new value and increase the version.
  client_secret_wo         = var.welink_client_secret
  client_secret_wo_version = 1
}
