terraform {
  required_providers {
    coc = {
      source = "cocops/coc"
    }
  }
}

# Credentials come from where the huaweicloud provider finds them, with the same HW_* variables
# (HW_ACCESS_KEY and HW_SECRET_KEY, for example); the guide "authentication" has each source.
provider "coc" {
  region = "cn-north-4"
}
