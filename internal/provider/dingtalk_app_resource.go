package provider

import (
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/validators"
)

// dingtalkApp describes coc_dingtalk_app.
var dingtalkApp = appDescription{
	appType:     coc.DingTalk,
	displayName: "DingTalk",
	summary: "Binds a DingTalk app to COC, so that incidents can open war rooms as DingTalk scenario groups. " +
		"A tenant binds at most one DingTalk app.",
	fields: map[string]fieldDescription{
		"client_id": {
			description: "The app's Client ID (formerly AppKey): DingTalk open platform, application development, " +
				"**Credentials and Basic Information**.",
			validators: []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^ding[a-z0-9]{16}$`),
				`must be "ding" followed by 16 lowercase letters or digits (20 characters), as shown under Credentials and Basic Information`)},
		},
		"client_secret": {
			description: "The app's Client Secret (formerly AppSecret), 64 characters: **Credentials and Basic Information**.",
			validators:  []validator.String{validators.Secret(64, 64)},
		},
		"group_template_id": {
			description: "The scenario group template ID: DingTalk open platform, **Open Capabilities > Scenario Groups**.",
			validators:  []validator.String{printableNoSpace},
		},
		"robot_id": {
			description: "The scenario group robot ID: **Open Capabilities > Scenario Groups**, robot.",
			validators:  []validator.String{printableNoSpace},
		},
		"service_id": {
			description: "The app's numeric AgentId: **Credentials and Basic Information**.",
			validators: []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^[0-9]{1,19}$`),
				"must be the app's numeric AgentId (digits only), as shown under Credentials and Basic Information")},
		},
	},
}
