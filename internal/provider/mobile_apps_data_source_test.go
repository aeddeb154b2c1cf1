package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

func TestAccMobileAppsDataSource(t *testing.T) {
	env := newSimEnv(t, 1)
	// Every app lists the plain fields of every platform, null where its own has none.
	listed := map[string]bool{}
	for _, pc := range platformCases {
		for f := range pc.fields {
			listed[f] = true
		}
	}
	var resources string
	var addresses []string
	var apps []knownvalue.Check
	for _, pc := range platformCases {
		resources += pc.resourceBlock("this", nil)
		addresses = append(addresses, pc.address("this"))
		checks := map[string]knownvalue.Check{
			"app_type":                   knownvalue.StringExact(string(pc.appType)),
			"app_id":                     knownvalue.StringExact(pc.ids[0]),
			"status":                     knownvalue.StringExact("enabled"),
			"created_at":                 knownvalue.NotNull(),
			"updated_at":                 knownvalue.NotNull(),
			"key_updated_at":             knownvalue.NotNull(),
			"war_room_notification_type": knownvalue.StringExact(pc.platform.NotificationType),
		}
		for f := range listed {
			checks[f] = knownvalue.Null()
			if v, ok := pc.fields[f]; ok {
				checks[f] = knownvalue.StringExact(v[0])
			}
		}
		apps = append(apps, knownvalue.ObjectExact(checks))
	}
	dingtalk := platformCaseFor(platforms.DingTalk)
	config := env.providerBlock(0, "") + resources + fmt.Sprintf(`
data "coc_mobile_apps" "all" {
  depends_on = [%s]
}
data "coc_mobile_apps" "dingtalk" {
  app_type   = "dingtalk"
  depends_on = [%s]
}
`, strings.Join(addresses, ", "), dingtalk.address("this"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.coc_mobile_apps.all", tfjsonpath.New("apps"), knownvalue.ListExact(apps)),
				statecheck.ExpectKnownValue("data.coc_mobile_apps.dingtalk", tfjsonpath.New("apps"), knownvalue.ListSizeExact(1)),
				statecheck.ExpectKnownValue("data.coc_mobile_apps.dingtalk", tfjsonpath.New("apps").AtSliceIndex(0).AtMapKey("app_id"), knownvalue.StringExact(dingtalk.ids[0])),
			},
		}},
	})
}

// The data source gives up after timeouts.read however long a server holds it, and a read
// timeout that could never succeed is refused before anything is sent.
func TestAccMobileAppsDataSource_ReadTimeout(t *testing.T) {
	// Parallel first: the clock below must not count the wait for the package's serial tests.
	t.Parallel()
	env := newSimEnv(t, 1)
	env.inject(t, simulator.Fault{Method: "GET", PathPrefix: coc.MobileAppsPath, LatencyMS: int((10 * time.Minute).Milliseconds())})
	withTimeout := func(read string) string {
		return env.providerBlock(0, "") + fmt.Sprintf("data \"coc_mobile_apps\" \"all\" {\n  timeouts {\n    read = %q\n  }\n}\n", read)
	}
	started := time.Now()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: withTimeout("0s"), ExpectError: errorPattern("must be a positive duration")},
			{Config: withTimeout("1s"), ExpectError: errorPattern("Failed to List Mobile App Bindings", "did not finish within its timeout")},
		},
	})
	if elapsed := time.Since(started); elapsed > time.Minute {
		t.Fatalf("the read took %v: the timeout was not honoured", elapsed)
	}
}
