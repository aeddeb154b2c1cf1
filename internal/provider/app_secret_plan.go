package provider

import "github.com/hashicorp/terraform-plugin-framework/types"

// Secret planning: which secrets an update sends and why. ModifyPlan and Update share it.

// keyDrift records that COC's key_updated_at moved since this provider last set the secrets.
type keyDrift struct{ applied, now string }

// secretPlan says which secrets an update sends, and why.
type secretPlan struct {
	send []string
	// resent are plaintext secrets sent only because they changed outside Terraform.
	resent []string
	// needsVersionBump are write-only secrets changed outside Terraform, which only a version
	// bump can restore.
	needsVersionBump []unrestoredSecret
	drift            *keyDrift
}

// unrestoredSecret is a write-only secret changed outside Terraform since (a key_updated_at).
type unrestoredSecret struct{ name, since string }

// secretChanges decides which of the secrets an update sends, from the configuration, the plan,
// the prior state and the private state. ModifyPlan and Update both call it with the same
// inputs, so what the plan promises is what the apply does.
func secretChanges(secrets []string, config, plan, prior appBinding, private bindingPrivate) secretPlan {
	out := secretPlan{drift: keyDriftOf(prior.KeyUpdatedAt, private.AppliedKeyUpdatedAt)}
	for _, s := range secrets {
		planned, was, configured := plan.Secrets[s], prior.Secrets[s], config.Secrets[s]
		switch {
		case !planned.Value.IsNull():
			switch {
			case !planned.Value.Equal(was.Value):
				out.send = append(out.send, s)
			// Re-send only what the configuration manages: under ignore_changes the planned
			// value is the old state value, and sending it would undo a wanted console change.
			case out.drift != nil && planned.Value.Equal(configured.Value):
				out.send = append(out.send, s)
				out.resent = append(out.resent, s)
			}
		case !configured.WriteOnly.IsNull():
			switch {
			// A new version, or a switch from the plaintext attribute, means: send it now.
			case !planned.Version.Equal(was.Version), !was.Value.IsNull():
				out.send = append(out.send, s)
			case out.drift != nil:
				out.needsVersionBump = append(out.needsVersionBump, unrestoredSecret{name: s, since: out.drift.now})
			case private.UnrestoredWriteOnly[s] != "":
				out.needsVersionBump = append(out.needsVersionBump, unrestoredSecret{name: s, since: private.UnrestoredWriteOnly[s]})
			}
		}
	}
	return out
}

// afterUpdate is the private state once an update with these changes succeeded, COC answering
// keyUpdatedAt. Sending secrets moves the baseline to it, and the write-only secrets still
// changed outside Terraform stay flagged until they are sent; an update that sent no secret
// leaves both as they were.
func (p secretPlan) afterUpdate(private bindingPrivate, keyUpdatedAt string) bindingPrivate {
	if len(p.send) == 0 {
		return private
	}
	private.AppliedKeyUpdatedAt = keyUpdatedAt
	private.UnrestoredWriteOnly = nil
	for _, u := range p.needsVersionBump {
		if private.UnrestoredWriteOnly == nil {
			private.UnrestoredWriteOnly = map[string]string{}
		}
		private.UnrestoredWriteOnly[u.name] = u.since
	}
	return private
}

// keyDriftOf compares the state's key_updated_at with the one this provider last set.
func keyDriftOf(current types.String, applied string) *keyDrift {
	if applied == "" {
		return nil // imported and never applied: no baseline to compare with
	}
	if current.IsNull() || current.IsUnknown() || current.ValueString() == applied {
		return nil
	}
	return &keyDrift{applied: applied, now: current.ValueString()}
}
