terraform {
  required_providers {
    coc = {
      source = "cocops/coc"
    }
  }
}

# The alternative to write-only secrets: the values are stored, marked sensitive, in the state.
variable "wecom_enterprise_key" {
  type      = string
  sensitive = true
}

variable "wecom_address_book_key" {
  type      = string
  sensitive = true
}

resource "coc_wecom_app" "this" {
  enterprise_id    = "ww0123456789abcdef"
  service_id       = "1000002"
  enterprise_key   = var.wecom_enterprise_key
  address_book_key = var.wecom_address_book_key
}
