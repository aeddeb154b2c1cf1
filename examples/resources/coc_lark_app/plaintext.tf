terraform {
  required_providers {
    coc = {
      source = "cocops/coc"
    }
  }
}

# The alternative to a write-only secret: the value is stored, marked sensitive, in the state.
variable "lark_app_secret" {
  type      = string
  sensitive = true
}

resource "coc_lark_app" "this" {
  app_id     = "cli_a1b2c3d4e5f6a7b8"
  app_secret = var.lark_app_secret
}
