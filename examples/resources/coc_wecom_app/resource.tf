terraform {
  required_providers {
    coc = {
      source = "cocops/coc"
    }
  }
}

# Ephemeral variables (Terraform 1.10 and later) are never written to the plan or the state.
# Set them from your secret store, for example as TF_VAR_wecom_enterprise_key.
variable "wecom_enterprise_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "wecom_address_book_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "coc_wecom_app" "this" {
  enterprise_id = "ww0123456789abcdef"
  service_id    = "1000002"

  # Write-only (Terraform 1.11 and later): sent to COC, never stored in the state.
  # To rotate a secret, give it its new value and increase its version.
  enterprise_key_wo           = var.wecom_enterprise_key
  enterprise_key_wo_version   = 1
  address_book_key_wo         = var.wecom_address_book_key
  address_book_key_wo_version = 1
}
