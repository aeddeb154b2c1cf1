terraform {
  required_providers {
    coc = {
      source = "cocops/coc"
    }
  }
}

# Credentials come from wherever the huaweicloud provider finds them, with the same variables:
# HW_ACCESS_KEY and HW_SECRET_KEY (and HW_SECURITY_TOKEN), a KooCLI profile (HW_PROFILE), an
# agency (assume_role), an OIDC identity token (assume_role_with_oidc), or else the ECS metadata
# service. The guide "authentication" has a configuration for each.
provider "coc" {
  region = "cn-north-4"
}
