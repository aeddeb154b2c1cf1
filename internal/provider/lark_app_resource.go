package provider

import (
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/validators"
)

// larkApp describes coc_lark_app.
var larkApp = appDescription{
	appType:     coc.Lark,
	displayName: "Lark",
	summary: "Binds a Lark (Feishu) custom app to COC, so that incidents can open war rooms in Lark. " +
		"A tenant binds at most one Lark app.",
	endpointHint: "Feishu apps are checked at https://open.feishu.cn (the default), apps of Lark outside China at " +
		"https://open.larksuite.com.",
	fields: map[string]fieldDescription{
		"app_id": {
			description: "The App ID: Lark developer console, the custom app, **Credentials & Basic Info**.",
			validators: []validator.String{
				stringvalidator.RegexMatches(regexp.MustCompile(`^cli_[0-9A-Za-z]+$`),
					`must start with "cli_" followed by letters and digits, as shown under Credentials & Basic Info`),
				validators.LengthWarning(20, "Lark App IDs"),
			},
		},
		"app_secret": {
			description: "The App Secret: **Credentials & Basic Info**.",
		},
		"service_id": {
			description: "The service ID COC uses for the app (the console suggests the App ID): **Credentials & Basic Info**.",
			validators:  []validator.String{printableNoSpace},
		},
	},
}
