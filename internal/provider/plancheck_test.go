package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

// onlySecretsChange asserts that a planned update changes the secrets and nothing else the
// user configured (computed timestamps may become unknown).
func onlySecretsChange(addr string, pc platformCase) plancheck.PlanCheck {
	return onlySecretsChangeCheck{addr: addr, pc: pc}
}

type onlySecretsChangeCheck struct {
	addr string
	pc   platformCase
}

func (c onlySecretsChangeCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	computed := []string{attrUpdatedAt, attrKeyUpdatedAt}
	changed, err := plannedChanges(req, c.addr)
	if err != nil {
		resp.Error = err
		return
	}
	var unexpected []string
	for _, name := range changed {
		if !slices.Contains(c.pc.platform.SecretNames(), name) && !slices.Contains(computed, name) {
			unexpected = append(unexpected, name)
		}
	}
	for _, s := range c.pc.platform.SecretNames() {
		if !slices.Contains(changed, s) {
			resp.Error = fmt.Errorf("%s: secret %s is not planned to be set (changes: %v)", c.addr, s, changed)
			return
		}
	}
	if len(unexpected) > 0 {
		resp.Error = fmt.Errorf("%s: unexpected planned changes to %v", c.addr, unexpected)
	}
}

// onlyChanges asserts that a planned change of addr touches exactly the named attributes:
// changed values and values that become unknown.
func onlyChanges(addr string, names ...string) plancheck.PlanCheck {
	return onlyChangesCheck{addr: addr, want: names}
}

type onlyChangesCheck struct {
	addr string
	want []string
}

func (c onlyChangesCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	changed, err := plannedChanges(req, c.addr)
	if err != nil {
		resp.Error = err
		return
	}
	want := slices.Sorted(slices.Values(c.want))
	if !slices.Equal(changed, want) {
		resp.Error = fmt.Errorf("%s: planned changes to %v, want exactly %v", c.addr, changed, want)
	}
}

// plannedChanges lists, sorted, the attributes of addr whose planned value differs from the
// prior one or is unknown.
func plannedChanges(req plancheck.CheckPlanRequest, addr string) ([]string, error) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != addr {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		unknown, _ := rc.Change.AfterUnknown.(map[string]any)
		var changed []string
		for name, v := range after {
			if fmt.Sprint(before[name]) != fmt.Sprint(v) || unknown[name] == true {
				changed = append(changed, name)
			}
		}
		for name := range unknown {
			if _, ok := after[name]; !ok && unknown[name] == true {
				changed = append(changed, name)
			}
		}
		sort.Strings(changed)
		return slices.Compact(changed), nil
	}
	return nil, fmt.Errorf("%s is not in the plan", addr)
}

// errorPattern matches fragments of a diagnostic in order, however Terraform wraps its lines.
func errorPattern(fragments ...string) *regexp.Regexp {
	quoted := make([]string, len(fragments))
	for i, f := range fragments {
		words := strings.Fields(f)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		quoted[i] = strings.Join(words, `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, `.*`))
}

// negativePattern matches any error text that does not contain s. Go's regexp has no negative
// lookahead, so it is built from the prefixes of s: text matches when no occurrence of s's
// first byte is followed by the rest of s.
func negativePattern(s string) *regexp.Regexp {
	first := regexp.QuoteMeta(s[:1])
	var alternatives []string
	for i := 1; i < len(s); i++ {
		alternatives = append(alternatives, regexp.QuoteMeta(s[1:i])+"[^"+regexp.QuoteMeta(s[i:i+1])+"]")
	}
	notS := "(?:[^" + first + "]|" + first + "(?:" + strings.Join(alternatives, "|") + "|$))"
	return regexp.MustCompile(`(?s)^` + notS + `*$`)
}
