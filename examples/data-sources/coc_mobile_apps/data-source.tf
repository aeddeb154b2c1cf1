terraform {
  required_providers {
    coc = {
      source = "cocops/coc"
    }
  }
}

# Every binding of the tenant.
data "coc_mobile_apps" "all" {}

# Only the Lark binding, if there is one.
data "coc_mobile_apps" "lark" {
  app_type = "lark"
}

output "bound_apps" {
  value = { for app in data.coc_mobile_apps.all.apps : app.app_type => app.app_id }
}
