package provider

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	tfconfig "github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// badConfig is a configuration that must fail at plan time with an error naming attr.
type badConfig struct {
	name string
	pc   platforms.AppType
	// attrs override the resource's attributes (see platformCase.resourceBlock).
	attrs map[string]string
	// want are fragments the error must contain, in order; the first names the attribute.
	want []string
}

var badResourceConfigs = []badConfig{
	{"wecom enterprise_id too short", platforms.WeCom, map[string]string{"enterprise_id": `"ww123"`}, []string{"enterprise_id", `"ww" or "wx" followed by 16 hexadecimal digits`}},
	{"wecom enterprise_id wrong prefix", platforms.WeCom, map[string]string{"enterprise_id": `"xx0123456789abcdef"`}, []string{"enterprise_id", "16 hexadecimal digits"}},
	{"wecom enterprise_id with a Cyrillic look-alike", platforms.WeCom, map[string]string{"enterprise_id": `"ww0123456789abcdеf"`}, []string{"enterprise_id", "16 hexadecimal digits"}},
	{"wecom enterprise_id with surrounding whitespace", platforms.WeCom, map[string]string{"enterprise_id": `" ww0123456789abcdef "`}, []string{"enterprise_id", "16 hexadecimal digits"}},
	{"wecom enterprise_id with a zero-width space", platforms.WeCom, map[string]string{"enterprise_id": `"ww0123456789abcdef\u200b"`}, []string{"enterprise_id", "16 hexadecimal digits"}},
	{"wecom enterprise_id null", platforms.WeCom, map[string]string{"enterprise_id": "null"}, []string{"enterprise_id", "required"}},
	{"wecom service_id not numeric", platforms.WeCom, map[string]string{"service_id": `"agent-1"`}, []string{"service_id", "numeric AgentId"}},
	{"wecom oversized service_id", platforms.WeCom, map[string]string{"service_id": strconv.Quote(strings.Repeat("1", 300))}, []string{"service_id", "length must be between 1 and 256"}},
	{"wecom empty enterprise_key", platforms.WeCom, map[string]string{"enterprise_key": `""`}, []string{"enterprise_key", "1 to 256 printable ASCII characters", "it has 0 characters"}},
	{"wecom enterprise_key with a space", platforms.WeCom, map[string]string{"enterprise_key": `"two words"`}, []string{"enterprise_key", "character 4 is a space"}},
	{"wecom enterprise_key with a line break", platforms.WeCom, map[string]string{"enterprise_key": `"line\nbreak"`}, []string{"enterprise_key", "character 5 is a space, a control character"}},
	{"wecom enterprise_key with a Cyrillic look-alike", platforms.WeCom, map[string]string{"enterprise_key": `"kеy-1234"`}, []string{"enterprise_key", "character 2", "not ASCII"}},
	{"wecom oversized address_book_key", platforms.WeCom, map[string]string{"address_book_key": strconv.Quote(strings.Repeat("k", 257))}, []string{"address_book_key", "it has 257 characters"}},
	{"wecom write-only address_book_key with a space", platforms.WeCom, map[string]string{"address_book_key_wo": `"two words"`, "address_book_key_wo_version": "1"}, []string{"address_book_key_wo", "character 4 is a space"}},
	{"wecom key both plaintext and write-only", platforms.WeCom, map[string]string{"enterprise_key_wo": `"k"`, "enterprise_key_wo_version": "1", "enterprise_key": `"k"`}, []string{"enterprise_key", "enterprise_key_wo"}},
	{"wecom key neither plaintext nor write-only", platforms.WeCom, map[string]string{"enterprise_key": ""}, []string{"enterprise_key", "enterprise_key_wo"}},
	{"wecom write-only key without version", platforms.WeCom, map[string]string{"enterprise_key_wo": `"k"`}, []string{"enterprise_key_wo", "enterprise_key_wo_version"}},
	{"wecom version without write-only key", platforms.WeCom, map[string]string{"address_book_key_wo_version": "1"}, []string{"address_book_key_wo", "address_book_key_wo_version"}},
	{"wecom version zero", platforms.WeCom, map[string]string{"enterprise_key_wo": `"k"`, "enterprise_key_wo_version": "0"}, []string{"enterprise_key_wo_version", "at least 1"}},
	{"wecom attribute of another platform", platforms.WeCom, map[string]string{"app_secret": `"s"`}, []string{"app_secret", "is not expected here"}},
	{"dingtalk client_id upper case", platforms.DingTalk, map[string]string{"client_id": `"DINGABCDEFGHIJ012345"`}, []string{"client_id", `"ding" followed by 16 lowercase letters or digits`}},
	{"dingtalk client_id in full-width letters", platforms.DingTalk, map[string]string{"client_id": `"ｄｉｎｇabcdefghij012345"`}, []string{"client_id", `"ding" followed by 16 lowercase letters or digits`}},
	{"dingtalk client_secret 63 characters", platforms.DingTalk, map[string]string{"client_secret": strconv.Quote(strings.Repeat("s", 63))}, []string{"client_secret", "exactly 64 printable ASCII characters", "it has 63 characters"}},
	{"dingtalk client_secret 65 characters", platforms.DingTalk, map[string]string{"client_secret": strconv.Quote(strings.Repeat("s", 65))}, []string{"client_secret", "exactly 64 printable ASCII characters", "it has 65 characters"}},
	{"dingtalk empty write-only client_secret", platforms.DingTalk, map[string]string{"client_secret_wo": `""`, "client_secret_wo_version": "1"}, []string{"client_secret_wo", "it has 0 characters"}},
	{"dingtalk negative write-only version", platforms.DingTalk, map[string]string{"client_secret_wo": strconv.Quote(strings.Repeat("s", 64)), "client_secret_wo_version": "-3"}, []string{"client_secret_wo_version", "at least 1"}},
	{"dingtalk robot_id with a space", platforms.DingTalk, map[string]string{"robot_id": `"robot 1"`}, []string{"robot_id", "printable ASCII"}},
	{"dingtalk robot_id with full-width digits", platforms.DingTalk, map[string]string{"robot_id": `"robot-０１"`}, []string{"robot_id", "printable ASCII"}},
	{"dingtalk empty group_template_id", platforms.DingTalk, map[string]string{"group_template_id": `""`}, []string{"group_template_id", "length must be between 1 and 256"}},
	{"dingtalk oversized group_template_id", platforms.DingTalk, map[string]string{"group_template_id": strconv.Quote(strings.Repeat("t", 300))}, []string{"group_template_id", "length must be between 1 and 256"}},
	{"dingtalk empty service_id", platforms.DingTalk, map[string]string{"service_id": `""`}, []string{"service_id", "length must be between 1 and 256"}},
	{"dingtalk negative service_id", platforms.DingTalk, map[string]string{"service_id": `"-1"`}, []string{"service_id", "numeric AgentId"}},
	{"lark app_id without cli_", platforms.Lark, map[string]string{"app_id": `"app_a1b2c3d4e5f6a7b8"`}, []string{"app_id", `must start with "cli_"`}},
	{"lark empty app_id", platforms.Lark, map[string]string{"app_id": `""`}, []string{"app_id", "length must be between 1 and 256"}},
	{"lark app_id with a trailing line break", platforms.Lark, map[string]string{"app_id": `"cli_a1b2c3d4e5f6a7b8\n"`}, []string{"app_id", `must start with "cli_" followed by letters and digits`}},
	{"lark app_secret with a tab", platforms.Lark, map[string]string{"app_secret": `"tab\there"`}, []string{"app_secret", "character 4"}},
	{"lark oversized app_secret", platforms.Lark, map[string]string{"app_secret": strconv.Quote(strings.Repeat("s", 257))}, []string{"app_secret", "it has 257 characters"}},
	{"lark write-only app_secret of spaces", platforms.Lark, map[string]string{"app_secret_wo": `"   "`, "app_secret_wo_version": "1"}, []string{"app_secret_wo", "character 1 is a space"}},
	{"lark service_id with a space", platforms.Lark, map[string]string{"service_id": `"svc 1"`}, []string{"service_id", "printable ASCII"}},
	{"lark unparsable timeout", platforms.Lark, map[string]string{"timeouts": `{ create = "soon" }`}, []string{"timeouts", "create", "soon"}},
	{"lark timeout in words", platforms.Lark, map[string]string{"timeouts": `{ read = "10 minutes" }`}, []string{"timeouts", "read", "10 minutes"}},
	{"lark zero timeout", platforms.Lark, map[string]string{"timeouts": `{ update = "0s" }`}, []string{"timeouts.update", "must be a positive duration"}},
	{"lark negative timeout", platforms.Lark, map[string]string{"timeouts": `{ delete = "-5m" }`}, []string{"timeouts.delete", "must be a positive duration", `"-5m"`}},
}

// quotedAppTypes lists the app types as the framework's OneOf validator does: ["wecom" ...].
func quotedAppTypes() string {
	quoted := make([]string, len(platformCases))
	for i, pc := range platformCases {
		quoted[i] = strconv.Quote(string(pc.appType))
	}
	return "[" + strings.Join(quoted, " ") + "]"
}

// badDataSourceConfigs are coc_mobile_apps arguments that must fail at plan time.
var badDataSourceConfigs = []struct {
	name, appType string
	want          []string
}{
	{"unknown app_type", `"teams"`, []string{"app_type", "value must be one of: " + quotedAppTypes()}},
	{"empty app_type", `""`, []string{"app_type", "value must be one of"}},
	{"app_type in capitals", `"WECOM"`, []string{"app_type", "value must be one of"}},
	{"app_type with a leading space", `" wecom"`, []string{"app_type", "value must be one of"}},
}

// badProviderConfigs are provider blocks that must fail at plan time, either when Terraform
// validates them or when the provider is configured. Endpoint and credentials default to a
// working tenant; each case overrides (or, with "", removes) arguments, gives a block as the lines
// of its body, and writes %url for the simulator's URL.
var badProviderConfigs = []struct {
	name  string
	attrs map[string]string
	want  []string
}{
	{"missing access key", map[string]string{"access_key": ""}, []string{"Incomplete Access Key Pair", "access_key", "HW_ACCESS_KEY"}},
	{"missing secret key", map[string]string{"secret_key": ""}, []string{"Incomplete Access Key Pair", "secret_key", "HW_SECRET_KEY"}},
	{"security token without a key pair", map[string]string{"access_key": "", "secret_key": "", "security_token": `"TOKEN-alone"`},
		[]string{"Incomplete Access Key Pair", "security_token", "HW_ACCESS_KEY"}},
	{"empty access key", map[string]string{"access_key": `""`}, []string{"access_key", "at least 1"}},
	{"access key with a space", map[string]string{"access_key": `"AK 123"`}, []string{"access_key", "printable ASCII"}},
	{"empty secret key", map[string]string{"secret_key": `""`}, []string{"secret_key", "it has 0 characters"}},
	{"secret key with a trailing line break", map[string]string{"secret_key": `"SK-0123456789\n"`}, []string{"secret_key", "character 14 is a space, a control character", "not shown"}},
	{"security token with a space", map[string]string{"security_token": `"token with space"`}, []string{"security_token", "character 6 is a space"}},
	{"domain_id with a space", map[string]string{"domain_id": `"domain 1"`}, []string{"domain_id", "printable ASCII"}},
	{"unknown region without endpoint", map[string]string{"endpoint": "", "region": `"mars-north-1"`}, []string{"Unknown COC Region", `"mars-north-1"`, "HW_REGION_NAME", "ap-southeast-3, cn-north-4, eu-west-101", "endpoint", "HW_COC_ENDPOINT"}},
	{"empty region", map[string]string{"endpoint": "", "region": `""`}, []string{"region", "at least 1"}},
	{"region with a leading space", map[string]string{"endpoint": "", "region": `" cn-north-4"`}, []string{"region", "printable ASCII"}},
	{"empty endpoint", map[string]string{"endpoint": `""`}, []string{"Invalid COC Endpoint", "endpoint", "must start with https://"}},
	{"endpoint without scheme", map[string]string{"endpoint": `"coc.myhuaweicloud.com"`}, []string{"Invalid COC Endpoint", "endpoint", "must start with https://"}},
	{"endpoint with another scheme", map[string]string{"endpoint": `"ftp://coc.myhuaweicloud.com"`}, []string{"Invalid COC Endpoint", "must start with https://"}},
	{"endpoint without host", map[string]string{"endpoint": `"https://"`}, []string{"Invalid COC Endpoint", "has no host"}},
	{"endpoint with credentials", map[string]string{"endpoint": `"https://user:hunter2@coc.myhuaweicloud.com"`}, []string{"Invalid COC Endpoint", "must not contain credentials"}},
	{"unparsable endpoint with credentials", map[string]string{"endpoint": `"https://user:hunter2@[::1"`}, []string{"Invalid COC Endpoint", "not a valid URL"}},
	{"endpoint with a query", map[string]string{"endpoint": `"https://coc.myhuaweicloud.com?x=1"`}, []string{"Invalid COC Endpoint", "must not contain credentials, a query or a fragment"}},
	{"endpoint with a fragment", map[string]string{"endpoint": `"https://coc.myhuaweicloud.com/#api"`}, []string{"Invalid COC Endpoint", "must not contain credentials, a query or a fragment"}},
	{"max_retries out of range", map[string]string{"max_retries": "99"}, []string{"max_retries", "between 0 and 20"}},
	{"negative max_retries", map[string]string{"max_retries": "-1"}, []string{"max_retries", "between 0 and 20"}},
	{"iam_endpoint without scheme", map[string]string{"iam_endpoint": `"iam.cn-north-4.myhuaweicloud.com"`}, []string{"iam_endpoint", "Invalid IAM Endpoint", "must start with https://"}},
	{"assume_role with two accounts", map[string]string{"assume_role": `agency_name = "coc-operator"` + "\n" + `domain_name = "target"` + "\n" + `domain_id = "target-id"`},
		[]string{"Invalid Attribute Combination", "assume_role.domain_id", "assume_role.domain_name"}},
	{"assume_role without account", map[string]string{"assume_role": `agency_name = "coc-operator"`}, []string{"Invalid Assume Role Settings", "domain_name", "HW_ASSUME_ROLE_DOMAIN_NAME", "HW_ASSUME_ROLE_DOMAIN_ID"}},
	{"assume_role without agency", map[string]string{"assume_role": `domain_name = "target"`}, []string{"Invalid Assume Role Settings", "agency_name", "HW_ASSUME_ROLE_AGENCY_NAME"}},
	{"assume_role for a minute", map[string]string{"assume_role": `agency_name = "coc-operator"` + "\n" + `domain_name = "target"` + "\n" + `duration = 60`},
		[]string{"assume_role.duration", "between 900 and 86400"}},
	{"assume_role agency with a space", map[string]string{"assume_role": `agency_name = "coc operator"` + "\n" + `domain_name = "target"`}, []string{"assume_role.agency_name", "printable ASCII"}},
	{"OIDC with two tokens", map[string]string{"access_key": "", "secret_key": "", "assume_role_with_oidc": `idp_id = "ci"` + "\n" + `id_token = "id.token"` + "\n" + `id_token_file = "/run/token"`},
		[]string{"Invalid Attribute Combination", "id_token_file", "id_token"}},
	{"OIDC without a token", map[string]string{"access_key": "", "secret_key": "", "assume_role_with_oidc": `idp_id = "ci"`}, []string{"Invalid OIDC Settings", "id_token", "HW_ASSUME_ROLE_ID_TOKEN", "HW_ASSUME_ROLE_ID_TOKEN_FILE"}},
	{"OIDC without identity provider", map[string]string{"access_key": "", "secret_key": "", "assume_role_with_oidc": `id_token = "id.token"`}, []string{"Invalid OIDC Settings", "idp_id", "HW_ASSUME_ROLE_IDP_ID"}},
	{"OIDC agency without account", map[string]string{"access_key": "", "secret_key": "", "assume_role_with_oidc": `idp_id = "ci"` + "\n" + `id_token = "id.token"` + "\n" + `agency_name = "coc-operator"`},
		[]string{"Invalid OIDC Settings", `agency "coc-operator"`, "domain_id", "HW_ASSUME_ROLE_DOMAIN_ID"}},
	{"OIDC token file that is not there", map[string]string{"access_key": "", "secret_key": "", "iam_endpoint": "%url", "assume_role_with_oidc": `idp_id = "ci"` + "\n" + `id_token_file = "/nonexistent-coc-test/token"`},
		[]string{"Failed to Obtain COC Credentials", `identity provider "ci"`, "/nonexistent-coc-test/token", "no such file", "HW_ASSUME_ROLE_ID_TOKEN_FILE"}},
	{"a key pair and a profile", map[string]string{"profile": `"ci"`},
		[]string{"Conflicting Credential Sources", "access_key (an access key pair) and profile (a KooCLI profile)", "alias"}},
	{"OIDC and a security token", map[string]string{"access_key": "", "secret_key": "", "security_token": `"TOKEN-x"`,
		"assume_role_with_oidc": `idp_id = "ci"` + "\n" + `id_token = "id.token"`},
		[]string{"Conflicting Credential Sources", "assume_role_with_oidc (an OIDC identity token) and security_token"}},
	{"profile in a file that is not there", map[string]string{"access_key": "", "secret_key": "", "profile": `"ci"`, "shared_config_file": `"/nonexistent-coc-test/config.json"`},
		[]string{"Failed to Load KooCLI Profile", `KooCLI profile "ci" in /nonexistent-coc-test/config.json`, "does not exist", "HW_SHARED_CONFIG_FILE"}},
}

// hostileConfig is one bad configuration inside the batch: its blocks and where they start and
// end in main.tf, so that each diagnostic can be traced to the case it belongs to.
type hostileConfig struct {
	name       string
	text       string
	want       []string
	start, end int
}

func hostileConfigs(env *simEnv) []*hostileConfig {
	var cases []*hostileConfig
	for i, tc := range badResourceConfigs {
		cases = append(cases, &hostileConfig{name: "resource: " + tc.name, want: tc.want,
			text: platformCaseFor(tc.pc).resourceBlock(fmt.Sprintf("bad_%02d", i), tc.attrs)})
	}
	for i, tc := range badDataSourceConfigs {
		cases = append(cases, &hostileConfig{name: "data source: " + tc.name, want: tc.want,
			text: fmt.Sprintf("data \"coc_mobile_apps\" \"bad_%02d\" {\n  app_type = %s\n}\n", i, tc.appType)})
	}
	tenant := env.tenants[0]
	for i, tc := range badProviderConfigs {
		alias := fmt.Sprintf("bad_provider_%02d", i)
		attrs := map[string]string{"alias": strconv.Quote(alias), "endpoint": strconv.Quote(env.url),
			"access_key": strconv.Quote(tenant.AccessKey), "secret_key": strconv.Quote(tenant.SecretKey)}
		for k, v := range tc.attrs {
			attrs[k] = strings.ReplaceAll(v, "%url", strconv.Quote(env.url))
		}
		var b strings.Builder
		b.WriteString("provider \"coc\" {\n")
		for _, k := range []string{"alias", "region", "endpoint", "iam_endpoint", "access_key", "secret_key", "security_token", "domain_id",
			"max_retries", "profile", "shared_config_file"} {
			if attrs[k] != "" {
				fmt.Fprintf(&b, "  %s = %s\n", k, attrs[k])
			}
		}
		for _, k := range []string{"assume_role", "assume_role_with_oidc"} {
			if attrs[k] != "" {
				fmt.Fprintf(&b, "  %s {\n    %s\n  }\n", k, strings.ReplaceAll(attrs[k], "\n", "\n    "))
			}
		}
		b.WriteString("}\n")
		b.WriteString(platformCaseFor(platforms.Lark).resourceBlock(alias, map[string]string{"provider": "coc." + alias}))
		cases = append(cases, &hostileConfig{name: "provider: " + tc.name, want: tc.want, text: b.String()})
	}
	return cases
}

// Every bad configuration fails at plan time with an error that names the attribute, and
// nothing at all reaches COC. The cases run as one configuration, so one terraform run reports
// them all; what fails only when the provider is configured shows in a second run, once the
// configuration is otherwise valid.
func TestCLI_BadConfigurationsFailAtPlanWithoutReachingCOC(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 1)
	w := newCLIWorkspace(t)
	remaining := hostileConfigs(env)
	if n := len(remaining); n < 40 {
		t.Fatalf("only %d bad configurations; the suite promises at least 40", n)
	}
	for run := 1; len(remaining) > 0; run++ {
		text := requiredProviders + env.providerBlock(0, "")
		line := strings.Count(text, "\n") + 1
		for _, c := range remaining {
			c.start, c.end = line, line+strings.Count(c.text, "\n")-1
			line = c.end + 1
			text += c.text
		}
		w.WriteConfig(t, text)
		out, err := w.Run("plan", "-input=false", "-json")
		if err == nil {
			var names []string
			for _, c := range remaining {
				names = append(names, c.name)
			}
			t.Fatalf("run %d: the plan accepted %q:\n%s", run, names, out)
		}
		failed := map[*hostileConfig][]planError{}
		for _, d := range planErrors(t, out) {
			i := 0
			for i < len(remaining) && (d.line < remaining[i].start || d.line > remaining[i].end) {
				i++
			}
			if i == len(remaining) {
				t.Errorf("run %d: an error outside every case: %s", run, d.text)
				continue
			}
			failed[remaining[i]] = append(failed[remaining[i]], d)
		}
		if len(failed) == 0 {
			t.Fatalf("run %d: no case failed:\n%s", run, out)
		}
		var next []*hostileConfig
		for _, c := range remaining {
			errs, ok := failed[c]
			if !ok {
				next = append(next, c)
				continue
			}
			var texts, messages []string
			for _, e := range errs {
				texts, messages = append(texts, e.text), append(messages, e.message)
			}
			if !errorPattern(c.want...).MatchString(strings.Join(texts, "\n")) {
				t.Errorf("%s: the error does not say %q:\n%s", c.name, c.want, strings.Join(texts, "\n"))
			}
			if strings.Contains(strings.Join(messages, "\n"), "hunter2") {
				t.Errorf("%s: the error repeats the endpoint's password:\n%s", c.name, strings.Join(messages, "\n"))
			}
		}
		remaining = next
	}
	if requests := env.sim.Requests(); len(requests) != 0 {
		t.Fatalf("bad configurations reached COC: %+v", requests)
	}
}

// planError is one error diagnostic of `terraform plan -json`, with the main.tf line it is on.
type planError struct {
	line int
	// text is the source line Terraform shows with the error, then the summary and detail, as
	// on screen; message is the provider's own words only.
	text, message string
}

func planErrors(t *testing.T, out string) []planError {
	t.Helper()
	var errs []planError
	scanner := bufio.NewScanner(strings.NewReader(out))
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		var m struct {
			Diagnostic struct {
				Severity string `json:"severity"`
				Summary  string `json:"summary"`
				Detail   string `json:"detail"`
				Snippet  *struct {
					Code string `json:"code"`
				} `json:"snippet"`
				Range *struct {
					Filename string `json:"filename"`
					Start    struct {
						Line int `json:"line"`
					} `json:"start"`
				} `json:"range"`
			} `json:"diagnostic"`
		}
		if json.Unmarshal(scanner.Bytes(), &m) != nil || m.Diagnostic.Severity != "error" {
			continue
		}
		d := m.Diagnostic
		// The source line Terraform shows with the error comes first, as it does on screen.
		message := d.Summary + ": " + d.Detail
		text := message
		if d.Snippet != nil {
			text = strings.TrimSpace(d.Snippet.Code) + " | " + message
		}
		if d.Range == nil || d.Range.Filename != "main.tf" {
			t.Errorf("an error without a place in main.tf: %s", text)
			continue
		}
		errs = append(errs, planError{line: d.Range.Start.Line, text: text, message: message})
	}
	return errs
}

// Values taken from the environment get the same checks as the provider block, without ever
// being shown: a key read from a file often ends in a line break.
func TestCLI_BadEnvironmentFailsAtPlanWithoutReachingCOC(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 1)
	w := newCLIWorkspace(t, envEndpoint+"="+env.url, envAccessKey+"=AK with space", envSecretKey+"=SK-from-a-file\n", envRegion+"=cn-north-4")
	w.WriteConfig(t, requiredProviders+"provider \"coc\" {}\n"+platformCaseFor(platforms.Lark).resourceBlock("this", nil))
	out, err := w.Run("plan", "-input=false", "-no-color")
	if err == nil {
		t.Fatalf("the plan succeeded:\n%s", out)
	}
	for _, want := range [][]string{
		{"Invalid Provider Argument", "value of access_key (from the provider block or the HW_ACCESS_KEY environment variable)", "byte 3", "not shown"},
		{"Invalid Provider Argument", "value of secret_key (from the provider block or the HW_SECRET_KEY environment variable)", "byte 15", "not shown"},
	} {
		if !errorPattern(want...).MatchString(out) {
			t.Errorf("the plan does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "SK-from-a-file") {
		t.Errorf("the error shows the secret key:\n%s", out)
	}
	if requests := env.sim.Requests(); len(requests) != 0 {
		t.Fatalf("a bad environment reached COC: %+v", requests)
	}
}

// A secret rejected by validation is never repeated in the error. (Terraform itself quotes the
// source line, so the secret comes from a sensitive variable, as it would in practice.)
func TestAccValidation_SecretErrorsDoNotQuoteTheValue(t *testing.T) {
	env := newSimEnv(t, 1)
	secret := "leak me" + strings.Repeat("x", 60)
	config := env.providerBlock(0, "") + "variable \"secret\" {\n  sensitive = true\n}\n" +
		platformCaseFor(platforms.DingTalk).resourceBlock("this", map[string]string{"client_secret": "var.secret"})
	vars := tfconfig.Variables{"secret": tfconfig.StringVariable(secret)}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ConfigVariables: vars, PlanOnly: true, ExpectError: errorPattern("client_secret", "not shown because it is secret")},
			{Config: config, ConfigVariables: vars, PlanOnly: true, ExpectError: negativePattern(secret)},
		},
	})
}
