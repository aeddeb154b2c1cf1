terraform {
  required_providers {
    coc = {
      source = "cocops/coc"
    }
  }
}

# The access key pair comes from HW_ACCESS_KEY and HW_SECRET_KEY (and HW_SECURITY_TOKEN for a
# temporary key), the same variables the huaweicloud provider reads.
provider "coc" {
  region = "cn-north-4"
}
