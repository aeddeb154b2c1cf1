package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// privateDocument decodes a resource's private state as Terraform stores it (a JSON object of
// base64 values) and the document in it; no document reads as an empty one. It fails on a
// document that does not decode, or a state that still carries a key from before the document.
func privateDocument(private []byte) (bindingPrivate, map[string][]byte, error) {
	var keys map[string][]byte
	if len(private) == 0 {
		return bindingPrivate{}, keys, nil
	}
	if err := json.Unmarshal(private, &keys); err != nil {
		return bindingPrivate{}, nil, fmt.Errorf("private state %q is not a JSON object of base64 values: %w", private, err)
	}
	for _, key := range legacyPrivateKeys {
		if keys[key] != nil {
			return bindingPrivate{}, keys, fmt.Errorf("private state %q still has the key %s", private, key)
		}
	}
	var doc bindingPrivate
	if keys[privateKey] == nil {
		return doc, keys, nil
	}
	if err := json.Unmarshal(keys[privateKey], &doc); err != nil {
		return doc, keys, fmt.Errorf("private state document %s does not decode: %w", keys[privateKey], err)
	}
	if doc.Version != privateVersion {
		return doc, keys, fmt.Errorf("private state document %s is not version %d", keys[privateKey], privateVersion)
	}
	return doc, keys, nil
}

// fakePrivate is private state as the framework keeps it: JSON values by key.
type fakePrivate map[string][]byte

func (p fakePrivate) GetKey(_ context.Context, key string) ([]byte, diag.Diagnostics) {
	return p[key], nil
}

func (p fakePrivate) SetKey(_ context.Context, key string, value []byte) diag.Diagnostics {
	if len(value) == 0 {
		delete(p, key)
		return nil
	}
	if !json.Valid(value) {
		var diags diag.Diagnostics
		diags.AddError("JSON Invalid", key)
		return diags
	}
	p[key] = value
	return nil
}

func ptr[T any](v T) *T { return &v }

// A state written before the document is read key by key, as the provider that wrote it did,
// and the next write leaves the document alone.
func TestPrivateState_ReadsTheKeysBeforeTheDocument(t *testing.T) {
	for _, c := range []struct {
		name   string
		legacy fakePrivate
		want   bindingPrivate
	}{
		{"nothing", fakePrivate{}, bindingPrivate{}},
		{"a drift baseline", fakePrivate{legacyAppliedKeyUpdatedAt: []byte(`"2026-01-02T03:04:05.678Z"`)},
			bindingPrivate{AppliedKeyUpdatedAt: "2026-01-02T03:04:05.678Z"}},
		{"every key", fakePrivate{
			legacyAppliedKeyUpdatedAt: []byte(`"2026-01-02T03:04:05.678Z"`),
			legacyUnrestoredWriteOnly: []byte(`{"address_book_key":"2026-01-01T00:00:00.000Z"}`),
			legacyImportID:            []byte(`"ww0123456789abcdef"`),
			// A create nothing confirmed records nothing any more: its old mark is dropped.
			legacyPendingCreate: []byte(`{"identifier":"ww0123456789abcdef","fingerprint":"abc"}`),
		}, bindingPrivate{
			AppliedKeyUpdatedAt: "2026-01-02T03:04:05.678Z",
			UnrestoredWriteOnly: map[string]string{"address_book_key": "2026-01-01T00:00:00.000Z"},
			ImportID:            ptr("ww0123456789abcdef"),
		}},
		{"an import of an empty ID", fakePrivate{legacyImportID: []byte(`""`)}, bindingPrivate{ImportID: ptr("")}},
		// Unreadable values count as missing, as they did.
		{"unreadable values", fakePrivate{
			legacyAppliedKeyUpdatedAt: []byte(`17`),
			legacyImportID:            []byte(`{}`),
		}, bindingPrivate{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			private := maps.Clone(c.legacy)
			got := readPrivate(t.Context(), private, new(diag.Diagnostics))
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("read %+v, want %+v", got, c.want)
			}
			writePrivate(t.Context(), private, got, new(diag.Diagnostics))
			if slices.ContainsFunc(legacyPrivateKeys, func(k string) bool { return private[k] != nil }) {
				t.Fatalf("the write left keys from before the document: %s", private)
			}
			stored := c.want
			if !stored.isEmpty() {
				stored.Version = privateVersion
			}
			if again := readPrivate(t.Context(), private, new(diag.Diagnostics)); !reflect.DeepEqual(again, stored) {
				t.Fatalf("read back %+v from %s, want %+v", again, private, stored)
			}
			if c.want.isEmpty() != (private[privateKey] == nil) {
				t.Fatalf("private state %s: an empty document is no key, any other is stored", private)
			}
		})
	}
}

// The document is one versioned JSON object under one key, each member named as the key that
// held it before.
func TestPrivateState_OneVersionedDocument(t *testing.T) {
	private := fakePrivate{}
	writePrivate(t.Context(), private, bindingPrivate{
		AppliedKeyUpdatedAt: "2026-01-02T03:04:05.678Z",
		UnrestoredWriteOnly: map[string]string{"address_book_key": "2026-01-01T00:00:00.000Z"},
		ImportID:            ptr("ww0123456789abcdef"),
	}, new(diag.Diagnostics))
	want := `{"version":1,"applied_key_updated_at":"2026-01-02T03:04:05.678Z",` +
		`"unrestored_write_only":{"address_book_key":"2026-01-01T00:00:00.000Z"},"import_id":"ww0123456789abcdef"}`
	if len(private) != 1 || string(private[privateKey]) != want {
		t.Fatalf("private state %s, want only %s = %s", private, privateKey, want)
	}
	// A document that does not decode counts as none; the keys before it are not consulted.
	private[privateKey] = []byte(`{"version":"one"}`)
	private[legacyAppliedKeyUpdatedAt] = []byte(`"2026-01-02T03:04:05.678Z"`)
	if got := readPrivate(t.Context(), private, new(diag.Diagnostics)); !got.isEmpty() {
		t.Fatalf("read %+v from an unreadable document", got)
	}
}

// A plan against a prior object records the identifier it holds for the replacement's plan, and
// no write of the document lets it reach the state.
func TestPrivateState_ReplacesStaysInThePlan(t *testing.T) {
	private := fakePrivate{}
	diags := new(diag.Diagnostics)
	if got := readReplaces(t.Context(), private, diags); got != "" {
		t.Fatalf("an empty private state replaces %q", got)
	}
	writeReplaces(t.Context(), private, "cli_a1b2c3d4e5f6a7b8", diags)
	if got := readReplaces(t.Context(), private, diags); got != "cli_a1b2c3d4e5f6a7b8" {
		t.Fatalf("replaces %q, want the identifier written", got)
	}
	writePrivate(t.Context(), private, bindingPrivate{AppliedKeyUpdatedAt: "2026-01-02T03:04:05.678Z"}, diags)
	if got := readReplaces(t.Context(), private, diags); got != "" || diags.HasError() {
		t.Fatalf("after a write of the document, replaces %q (%v)", got, diags)
	}
}
