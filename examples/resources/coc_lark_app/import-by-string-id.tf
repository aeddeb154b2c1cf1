# Adopt the Lark binding made on the console: its app_id is the import ID. COC never returns
# secrets, so the first plan also sets the configured one (an in-place update).
import {
  to = coc_lark_app.this
  id = "cli_a1b2c3d4e5f6a7b8"
}
