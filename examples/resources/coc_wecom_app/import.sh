# A WeCom binding is imported by the enterprise_id of the bound app.
terraform import coc_wecom_app.this ww0123456789abcdef
