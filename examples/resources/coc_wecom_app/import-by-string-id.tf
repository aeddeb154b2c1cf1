# Adopt the WeCom binding made on the console: its enterprise_id is the import ID. COC never
# returns secrets, so the first plan also sets the configured ones (an in-place update).
import {
  to = coc_wecom_app.this
  id = "ww0123456789abcdef"
}
