package provider

import (
	"maps"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Timestamps of a binding's story: the last apply that set its secrets, a change on the console,
// and the answer to the update a plan makes.
const (
	applied   = "2026-03-01T10:00:00.000Z"
	onConsole = "2026-03-02T10:00:00.000Z"
	answered  = "2026-03-03T10:00:00.000Z"
)

// One secret's attributes as a configuration, a plan or a state holds them.
func plaintext(v string) secretAttrs {
	return secretAttrs{Value: types.StringValue(v), WriteOnly: types.StringNull(), Version: types.Int64Null()}
}

func plaintextUnknown() secretAttrs {
	return secretAttrs{Value: types.StringUnknown(), WriteOnly: types.StringNull(), Version: types.Int64Null()}
}

// writeOnlyConfig is <secret>_wo and its version in a configuration.
func writeOnlyConfig(v string, version int64) secretAttrs {
	return secretAttrs{Value: types.StringNull(), WriteOnly: types.StringValue(v), Version: types.Int64Value(version)}
}

// writeOnlyPlanned is the same in a plan or a state, which never hold the value.
func writeOnlyPlanned(version int64) secretAttrs {
	return secretAttrs{Value: types.StringNull(), WriteOnly: types.StringNull(), Version: types.Int64Value(version)}
}

// noSecret is a state that records nothing of the secret: after an import, or an unconfirmed
// create found bound.
func noSecret() secretAttrs {
	return secretAttrs{Value: types.StringNull(), WriteOnly: types.StringNull(), Version: types.Int64Null()}
}

// secretCase is one secret in the configuration, the plan and the prior state.
type secretCase struct{ config, plan, prior secretAttrs }

func bindingOf(keyUpdatedAt string, secrets map[string]secretAttrs) appBinding {
	return appBinding{Secrets: secrets, KeyUpdatedAt: types.StringValue(keyUpdatedAt)}
}

// Every row of the tables in templates/resources.md.tmpl (Secrets, Rotating a Secret, Drift,
// Limitations of Import) that decides what an update sends, as secretChanges decides it, and
// what the update leaves in the private state.
func TestSecretChanges(t *testing.T) {
	const secret, other = "enterprise_key", "address_book_key"
	baseline := bindingPrivate{AppliedKeyUpdatedAt: applied}
	for _, c := range []struct {
		name string
		// secrets by name, in the platform's order: secret, then other when it is set.
		secrets map[string]secretCase
		// keyUpdatedAt is the prior state's key_updated_at, as the refresh read it from COC.
		keyUpdatedAt string
		private      bindingPrivate
		send, resent []string
		// bump maps the write-only secrets the plan warns to increase the version of to the
		// key_updated_at it names.
		bump map[string]string
		// unrestored is what the update leaves flagged in the private state.
		unrestored map[string]string
	}{
		// Secrets: when it is sent.
		{name: "plaintext unchanged: nothing sent",
			secrets:      map[string]secretCase{secret: {plaintext("a"), plaintext("a"), plaintext("a")}},
			keyUpdatedAt: applied, private: baseline},
		{name: "plaintext value changed: sent",
			secrets:      map[string]secretCase{secret: {plaintext("b"), plaintext("b"), plaintext("a")}},
			keyUpdatedAt: applied, private: baseline, send: []string{secret}},
		{name: "plaintext value known only at apply: sent",
			secrets:      map[string]secretCase{secret: {plaintextUnknown(), plaintextUnknown(), plaintext("a")}},
			keyUpdatedAt: applied, private: baseline, send: []string{secret}},
		{name: "write-only version increased (rotation): sent",
			secrets:      map[string]secretCase{secret: {writeOnlyConfig("b", 2), writeOnlyPlanned(2), writeOnlyPlanned(1)}},
			keyUpdatedAt: applied, private: baseline, send: []string{secret}},
		{name: "write-only version decreased: sent, the version is a trigger",
			secrets:      map[string]secretCase{secret: {writeOnlyConfig("b", 1), writeOnlyPlanned(1), writeOnlyPlanned(3)}},
			keyUpdatedAt: applied, private: baseline, send: []string{secret}},
		{name: "write-only value changed without the version: nothing sent",
			secrets:      map[string]secretCase{secret: {writeOnlyConfig("b", 1), writeOnlyPlanned(1), writeOnlyPlanned(1)}},
			keyUpdatedAt: applied, private: baseline},
		{name: "one of two write-only versions increased: only that one sent",
			secrets: map[string]secretCase{
				secret: {writeOnlyConfig("b", 2), writeOnlyPlanned(2), writeOnlyPlanned(1)},
				other:  {writeOnlyConfig("b", 1), writeOnlyPlanned(1), writeOnlyPlanned(1)},
			},
			keyUpdatedAt: applied, private: baseline, send: []string{secret}},
		// Plaintext Alternative: switching either way sends the secret once.
		{name: "switch from plaintext to write-only: sent",
			secrets:      map[string]secretCase{secret: {writeOnlyConfig("a", 1), writeOnlyPlanned(1), plaintext("a")}},
			keyUpdatedAt: applied, private: baseline, send: []string{secret}},
		{name: "switch from plaintext to write-only whatever the version: sent",
			secrets: map[string]secretCase{secret: {writeOnlyConfig("a", 1), writeOnlyPlanned(1),
				secretAttrs{Value: types.StringValue("a"), WriteOnly: types.StringNull(), Version: types.Int64Value(1)}}},
			keyUpdatedAt: applied, private: baseline, send: []string{secret}},
		{name: "switch from write-only to plaintext: sent",
			secrets:      map[string]secretCase{secret: {plaintext("a"), plaintext("a"), writeOnlyPlanned(1)}},
			keyUpdatedAt: applied, private: baseline, send: []string{secret}},
		// Drift: a secret changed on the console.
		{name: "plaintext changed on the console: re-sent with a warning",
			secrets:      map[string]secretCase{secret: {plaintext("a"), plaintext("a"), plaintext("a")}},
			keyUpdatedAt: onConsole, private: baseline, send: []string{secret}, resent: []string{secret}},
		{name: "plaintext changed on the console and in the configuration: sent, no drift warning",
			secrets:      map[string]secretCase{secret: {plaintext("b"), plaintext("b"), plaintext("a")}},
			keyUpdatedAt: onConsole, private: baseline, send: []string{secret}},
		{name: "write-only changed on the console: nothing sent, a warning to increase the version",
			secrets:      map[string]secretCase{secret: {writeOnlyConfig("a", 1), writeOnlyPlanned(1), writeOnlyPlanned(1)}},
			keyUpdatedAt: onConsole, private: baseline, bump: map[string]string{secret: onConsole}},
		{name: "write-only changed on the console, version increased: sent, no warning",
			secrets:      map[string]secretCase{secret: {writeOnlyConfig("a", 2), writeOnlyPlanned(2), writeOnlyPlanned(1)}},
			keyUpdatedAt: onConsole, private: baseline, send: []string{secret}},
		{name: "plaintext and write-only changed on the console: one re-sent, one flagged",
			secrets: map[string]secretCase{
				secret: {plaintext("a"), plaintext("a"), plaintext("a")},
				other:  {writeOnlyConfig("a", 1), writeOnlyPlanned(1), writeOnlyPlanned(1)},
			},
			keyUpdatedAt: onConsole, private: baseline, send: []string{secret}, resent: []string{secret},
			bump: map[string]string{other: onConsole}, unrestored: map[string]string{other: onConsole}},
		// A write-only secret stays flagged until it is sent, though sending another one moves
		// key_updated_at past the change (the "unrestored" map).
		{name: "write-only changed on the console, another one sent: still flagged after the update",
			secrets: map[string]secretCase{
				secret: {writeOnlyConfig("a", 2), writeOnlyPlanned(2), writeOnlyPlanned(1)},
				other:  {writeOnlyConfig("a", 1), writeOnlyPlanned(1), writeOnlyPlanned(1)},
			},
			keyUpdatedAt: onConsole, private: baseline, send: []string{secret},
			bump: map[string]string{other: onConsole}, unrestored: map[string]string{other: onConsole}},
		{name: "write-only unrestored, no drift since: still flagged with the change's time",
			secrets: map[string]secretCase{
				secret: {writeOnlyConfig("a", 2), writeOnlyPlanned(2), writeOnlyPlanned(2)},
				other:  {writeOnlyConfig("a", 1), writeOnlyPlanned(1), writeOnlyPlanned(1)},
			},
			keyUpdatedAt: answered, private: bindingPrivate{AppliedKeyUpdatedAt: answered, UnrestoredWriteOnly: map[string]string{other: onConsole}},
			bump: map[string]string{other: onConsole}, unrestored: map[string]string{other: onConsole}},
		{name: "write-only unrestored, another secret sent: still flagged after the update",
			secrets: map[string]secretCase{
				secret: {writeOnlyConfig("a", 3), writeOnlyPlanned(3), writeOnlyPlanned(2)},
				other:  {writeOnlyConfig("a", 1), writeOnlyPlanned(1), writeOnlyPlanned(1)},
			},
			keyUpdatedAt: answered, private: bindingPrivate{AppliedKeyUpdatedAt: answered, UnrestoredWriteOnly: map[string]string{other: onConsole}},
			send: []string{secret}, bump: map[string]string{other: onConsole}, unrestored: map[string]string{other: onConsole}},
		{name: "write-only unrestored, its version increased: sent, and no longer flagged",
			secrets: map[string]secretCase{
				secret: {writeOnlyConfig("a", 2), writeOnlyPlanned(2), writeOnlyPlanned(2)},
				other:  {writeOnlyConfig("a", 2), writeOnlyPlanned(2), writeOnlyPlanned(1)},
			},
			keyUpdatedAt: answered, private: bindingPrivate{AppliedKeyUpdatedAt: answered, UnrestoredWriteOnly: map[string]string{other: onConsole}},
			send: []string{other}},
		{name: "write-only unrestored, switched to plaintext: sent, and no longer flagged",
			secrets:      map[string]secretCase{secret: {plaintext("a"), plaintext("a"), writeOnlyPlanned(1)}},
			keyUpdatedAt: answered, private: bindingPrivate{AppliedKeyUpdatedAt: answered, UnrestoredWriteOnly: map[string]string{secret: onConsole}},
			send: []string{secret}},
		// Limitations of Import: no baseline, so nothing counts as drift; the secrets are sent
		// once because the state has none.
		{name: "imported, plaintext: sent once, no drift warning",
			secrets:      map[string]secretCase{secret: {plaintext("a"), plaintext("a"), noSecret()}},
			keyUpdatedAt: onConsole, send: []string{secret}},
		{name: "imported, write-only: sent once, no drift warning",
			secrets:      map[string]secretCase{secret: {writeOnlyConfig("a", 1), writeOnlyPlanned(1), noSecret()}},
			keyUpdatedAt: onConsole, send: []string{secret}},
		{name: "imported and kept, then changed on the console: no baseline, no drift",
			secrets:      map[string]secretCase{secret: {plaintext("a"), plaintext("a"), plaintext("a")}},
			keyUpdatedAt: answered},
		{name: "no key_updated_at in the state: no drift",
			secrets: map[string]secretCase{secret: {plaintext("a"), plaintext("a"), plaintext("a")}},
			private: baseline},
		// ignore_changes = [<secret>]: the planned value is the prior one, not the configured one,
		// and re-sending it would undo a wanted console change.
		{name: "ignore_changes on plaintext, changed on the console: not re-sent, no warning",
			secrets:      map[string]secretCase{secret: {plaintext("new"), plaintext("a"), plaintext("a")}},
			keyUpdatedAt: onConsole, private: baseline},
		{name: "ignore_changes on plaintext, changed in the configuration: not sent",
			secrets:      map[string]secretCase{secret: {plaintext("new"), plaintext("a"), plaintext("a")}},
			keyUpdatedAt: applied, private: baseline},
	} {
		t.Run(c.name, func(t *testing.T) {
			names := slices.DeleteFunc([]string{secret, other}, func(s string) bool { _, ok := c.secrets[s]; return !ok })
			config, plan, prior := map[string]secretAttrs{}, map[string]secretAttrs{}, map[string]secretAttrs{}
			for s, sc := range c.secrets {
				config[s], plan[s], prior[s] = sc.config, sc.plan, sc.prior
			}
			priorBinding := bindingOf(c.keyUpdatedAt, prior)
			if c.keyUpdatedAt == "" {
				priorBinding.KeyUpdatedAt = types.StringNull()
			}
			got := secretChanges(names, bindingOf("", config), bindingOf("", plan), priorBinding, c.private)
			if !slices.Equal(got.send, c.send) || !slices.Equal(got.resent, c.resent) {
				t.Errorf("sends %q, of them re-sent for drift %q; want %q and %q", got.send, got.resent, c.send, c.resent)
			}
			bump := map[string]string{}
			for _, u := range got.needsVersionBump {
				bump[u.name] = u.since
			}
			if !maps.Equal(bump, c.bump) {
				t.Errorf("warns to increase the versions of %v, want %v", bump, c.bump)
			}
			if (got.drift != nil) != (c.keyUpdatedAt == onConsole && c.private.AppliedKeyUpdatedAt == applied) {
				t.Errorf("drift %+v, from key_updated_at %q and the baseline %q", got.drift, c.keyUpdatedAt, c.private.AppliedKeyUpdatedAt)
			}
			after := got.afterUpdate(c.private, answered)
			if !maps.Equal(after.UnrestoredWriteOnly, c.unrestored) {
				t.Errorf("the update leaves %v flagged, want %v", after.UnrestoredWriteOnly, c.unrestored)
			}
			if wantBaseline := map[bool]string{true: answered, false: c.private.AppliedKeyUpdatedAt}[len(c.send) > 0]; after.AppliedKeyUpdatedAt != wantBaseline {
				t.Errorf("the update leaves the baseline %q, want %q", after.AppliedKeyUpdatedAt, wantBaseline)
			}
		})
	}
}
