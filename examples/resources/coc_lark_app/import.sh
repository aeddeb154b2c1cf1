# A Lark binding is imported by the app_id of the bound app.
terraform import coc_lark_app.this cli_a1b2c3d4e5f6a7b8
