# Adopt the DingTalk binding made on the console: its client_id is the import ID. COC never
# returns secrets, so the first plan also sets the configured one (an in-place update).
import {
  to = coc_dingtalk_app.this
  id = "dingabcdefghij012345"
}
