# A DingTalk binding is imported by the client_id of the bound app.
terraform import coc_dingtalk_app.this dingabcdefghij012345
