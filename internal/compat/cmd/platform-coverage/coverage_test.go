package main

import (
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

const provider = "example.com/internal/provider"

// passedEverywhere runs a passed subtest per platform in every area.
func passedEverywhere(all []platforms.Platform) []run {
	var runs []run
	for _, p := range all {
		name := "coc_" + string(p.AppType) + "_app"
		runs = append(runs,
			run{provider, "TestAccAppResource_Lifecycle/" + name, true},
			run{provider, "TestAppListResource_FindsTheBinding/" + name, true},
			run{provider, "TestExamples_ResourcesBindAndImport/" + name, true},
			run{"example.com/internal/appcheck", "TestRequestShapes/" + string(p.AppType), true})
	}
	return runs
}

func TestCheck(t *testing.T) {
	all := []platforms.Platform{{AppType: "wecom", Name: "WeCom"}, {AppType: "dingtalk", Name: "DingTalk"},
		{AppType: "lark", Name: "Lark"}, {AppType: "zulip", Name: "Zulip"}}
	threeOfFour := append(passedEverywhere(all), run{provider, "TestX/wecom", true}, run{provider, "TestX/dingtalk", true},
		run{provider, "TestX/lark_rejects", true})
	failedOnce := passedEverywhere(all)
	failedOnce[len(failedOnce)-4].passed = false // Zulip's resource test
	for _, tc := range []struct {
		name string
		runs []run
		want []string
	}{
		{"every platform everywhere", append(passedEverywhere(all), run{provider, "TestY/lark", true}), nil},
		{"a list of all but one", threeOfFour, []string{provider + " TestX runs a subtest for every platform but Zulip"}},
		{"an area without a platform", failedOnce, []string{"the resources: no passed subtest names Zulip (zulip)"}},
		{"larksuite is not Lark", append(passedEverywhere(all[:2]), run{provider, "TestAccAppResource_X/larksuite", true}),
			[]string{"the resources: no passed subtest names Lark", "the resources: no passed subtest names Zulip",
				"the list resources: no passed subtest names Lark", "the list resources: no passed subtest names Zulip",
				"the examples: no passed subtest names Lark", "the examples: no passed subtest names Zulip",
				"the credential check: no passed subtest names Lark", "the credential check: no passed subtest names Zulip"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := check(tc.runs, all)
			if len(got) != len(tc.want) {
				t.Fatalf("check = %q, want %q", got, tc.want)
			}
			for i, want := range tc.want {
				if !strings.HasPrefix(got[i], want) {
					t.Errorf("problem %d = %q, want it to start %q", i, got[i], want)
				}
			}
		})
	}
}
