package provider

import (
	"strconv"
	"strings"
	"testing"

	tfconfig "github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// badConfig is a configuration that must fail at plan time with an error naming attr.
type badConfig struct {
	name string
	pc   int // index into platformCases
	// attrs override the resource's attributes (see platformCase.resourceBlock).
	attrs map[string]string
	// want are fragments the error must contain, in order; the first names the attribute.
	want []string
}

var badResourceConfigs = []badConfig{
	{"wecom enterprise_id too short", 0, map[string]string{"enterprise_id": `"ww123"`}, []string{"enterprise_id", `"ww" or "wx" followed by 16 hexadecimal digits`}},
	{"wecom enterprise_id wrong prefix", 0, map[string]string{"enterprise_id": `"xx0123456789abcdef"`}, []string{"enterprise_id", "16 hexadecimal digits"}},
	{"wecom enterprise_id with a Cyrillic look-alike", 0, map[string]string{"enterprise_id": `"ww0123456789abcdеf"`}, []string{"enterprise_id", "16 hexadecimal digits"}},
	{"wecom service_id not numeric", 0, map[string]string{"service_id": `"agent-1"`}, []string{"service_id", "numeric AgentId"}},
	{"wecom empty enterprise_key", 0, map[string]string{"enterprise_key": `""`}, []string{"enterprise_key", "1 to 256 printable ASCII characters", "it has 0 characters"}},
	{"wecom enterprise_key with a space", 0, map[string]string{"enterprise_key": `"two words"`}, []string{"enterprise_key", "character 4 is a space"}},
	{"wecom oversized address_book_key", 0, map[string]string{"address_book_key": strconv.Quote(strings.Repeat("k", 257))}, []string{"address_book_key", "it has 257 characters"}},
	{"wecom key both plaintext and write-only", 0, map[string]string{"enterprise_key_wo": `"k"`, "enterprise_key_wo_version": "1", "enterprise_key": `"k"`}, []string{"enterprise_key", "enterprise_key_wo"}},
	{"wecom key neither plaintext nor write-only", 0, map[string]string{"enterprise_key": ""}, []string{"enterprise_key", "enterprise_key_wo"}},
	{"wecom write-only key without version", 0, map[string]string{"enterprise_key_wo": `"k"`}, []string{"enterprise_key_wo", "enterprise_key_wo_version"}},
	{"wecom version without write-only key", 0, map[string]string{"address_book_key_wo_version": "1"}, []string{"address_book_key_wo", "address_book_key_wo_version"}},
	{"wecom version zero", 0, map[string]string{"enterprise_key_wo": `"k"`, "enterprise_key_wo_version": "0"}, []string{"enterprise_key_wo_version", "at least 1"}},
	{"dingtalk client_id upper case", 1, map[string]string{"client_id": `"DINGABCDEFGHIJ012345"`}, []string{"client_id", `"ding" followed by 16 lowercase letters or digits`}},
	{"dingtalk client_secret 63 characters", 1, map[string]string{"client_secret": strconv.Quote(strings.Repeat("s", 63))}, []string{"client_secret", "exactly 64 printable ASCII characters", "it has 63 characters"}},
	{"dingtalk robot_id with a space", 1, map[string]string{"robot_id": `"robot 1"`}, []string{"robot_id", "printable ASCII"}},
	{"dingtalk empty service_id", 1, map[string]string{"service_id": `""`}, []string{"service_id", "length must be between 1 and 256"}},
	{"lark app_id without cli_", 2, map[string]string{"app_id": `"app_a1b2c3d4e5f6a7b8"`}, []string{"app_id", `must start with "cli_"`}},
	{"lark app_secret with a tab", 2, map[string]string{"app_secret": `"tab\there"`}, []string{"app_secret", "character 4"}},
	{"lark missing service_id", 2, map[string]string{"service_id": ""}, []string{`"service_id" is required`}},
	{"lark unparsable timeout", 2, map[string]string{"timeouts": `{ create = "soon" }`}, []string{"timeouts", "create", "soon"}},
}

// Bad input fails at plan with an error that names the attribute, and nothing reaches COC.
func TestAccValidation_BadResourceConfigsFailAtPlan(t *testing.T) {
	env := newSimEnv(t, 1)
	for _, tc := range badResourceConfigs {
		t.Run(tc.name, func(t *testing.T) {
			pc := platformCases[tc.pc]
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      env.providerBlock(0, "") + pc.resourceBlock("this", tc.attrs),
					PlanOnly:    true,
					ExpectError: errorPattern(tc.want...),
				}},
			})
		})
	}
	t.Cleanup(func() {
		if w := env.writes(); len(w) != 0 {
			t.Errorf("bad configurations reached COC: %v", w)
		}
	})
}

// A secret rejected by validation is never repeated in the error. (Terraform itself quotes the
// source line, so the secret comes from a sensitive variable, as it would in practice.)
func TestAccValidation_SecretErrorsDoNotQuoteTheValue(t *testing.T) {
	env := newSimEnv(t, 1)
	secret := "leak me" + strings.Repeat("x", 60)
	config := env.providerBlock(0, "") + "variable \"secret\" {\n  sensitive = true\n}\n" +
		platformCases[1].resourceBlock("this", map[string]string{"client_secret": "var.secret"})
	vars := tfconfig.Variables{"secret": tfconfig.StringVariable(secret)}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ConfigVariables: vars, PlanOnly: true, ExpectError: errorPattern("client_secret", "not shown because it is secret")},
			{Config: config, ConfigVariables: vars, PlanOnly: true, ExpectError: negativePattern(secret)},
		},
	})
}
