terraform {
  required_providers {
    coc = {
      source = "cocops/coc"
    }
  }
}

# Ephemeral variables (Terraform 1.10 and later) are never written to the plan or the state.
# Set it from your secret store, for example as TF_VAR_lark_app_secret.
variable "lark_app_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "coc_lark_app" "this" {
  # service_id, left out, is app_id: COC's console says that Lark's Service ID is the App ID.
  app_id = "cli_a1b2c3d4e5f6a7b8"

  # Write-only (Terraform 1.11 and later): sent to COC, never stored in the state.
  # To rotate the secret, give it its new value and increase the version.
  app_secret_wo         = var.lark_app_secret
  app_secret_wo_version = 1
}
