package platforms

import (
	"net/http"
	"regexp"
)

// dingtalk's token call: POST /v1.0/oauth2/accessToken {"appKey","appSecret"} answers 200 with
// accessToken, or a 4xx {"code","message","requestid"}: invalidClientIdOrSecret.
var dingtalk = Platform{
	AppType: DingTalk,
	Name:    "DingTalk",
	Summary: "Binds a DingTalk app to COC, so that incidents can open war rooms as DingTalk scenario groups. " +
		"A tenant binds at most one DingTalk app.",
	Identifier: Field{
		Name: "client_id", Label: "Client ID", Examples: [2]string{"dingabcdefghij012345", "dingzyxwvutsrqp98765"},
		Description: "The app's Client ID (formerly AppKey): DingTalk open platform, application development, " +
			"**Credentials and Basic Information**.",
		Format:     regexp.MustCompile(`^ding[a-z0-9]{16}$`),
		FormatHint: `must be "ding" followed by 16 lowercase letters or digits (20 characters), as shown under Credentials and Basic Information`,
	},
	Fields: []Field{
		{Name: "group_template_id", Label: "Group Template ID", Examples: [2]string{"tpl-0001", "tpl-0002"}, Printable: true,
			Description: "The scenario group template ID: DingTalk open platform, **Open Capabilities > Scenario Groups**."},
		{Name: "robot_id", Label: "Robot ID", Examples: [2]string{"robot-0001", "robot-0002"}, Printable: true,
			Description: "The scenario group robot ID: **Open Capabilities > Scenario Groups**, robot."},
		{Name: "service_id", Label: "Service ID", Examples: [2]string{"2000001", "2000002"},
			Description: "The app's numeric AgentId: **Credentials and Basic Information**.",
			Format:      regexp.MustCompile(`^[0-9]{1,19}$`),
			FormatHint:  "must be the app's numeric AgentId (digits only), as shown under Credentials and Basic Information"},
	},
	Secrets: []Field{{
		Name: "client_secret", Label: "Client Secret", SecretLength: [2]int{64, 64},
		Description: "The app's Client Secret (formerly AppSecret), 64 characters: **Credentials and Basic Information**.",
	}},
	NotificationType: "DING_TALK",
	Token: TokenCall{
		Endpoint: "https://api.dingtalk.com", Method: http.MethodPost, Path: "/v1.0/oauth2/accessToken",
		AppIDField: "appKey", SecretField: "appSecret",
		Token: "accessToken", Lifetime: "expireIn", Code: "code", Message: "message", RequestID: "requestid",
		UnknownApp:  Answer{http.StatusBadRequest, "invalidClientIdOrSecret", "无效的clientId或者clientSecret"},
		WrongSecret: Answer{http.StatusBadRequest, "invalidClientIdOrSecret", "无效的clientId或者clientSecret"},
	},
}
