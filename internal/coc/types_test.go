package coc_test

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// A binding decodes from its flat form: fields the server adds later, of any type, are ignored,
// and a null field counts as absent.
func TestBindingIgnoresUnknownFieldsAndNulls(t *testing.T) {
	var b coc.Binding
	err := json.Unmarshal([]byte(`{"app_type":"dingtalk","client_id":"dingabcdefghij012345","robot_id":null,`+
		`"service_id":"2000001","group_template_id":"tpl-1","status":"enabled","region":{"name":"cn-north-4"},"quota":3,`+
		`"created_at":"2026-01-02T03:04:05.000Z","updated_at":"2026-01-02T03:04:06.500Z","key_updated_at":null}`), &b)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"client_id": "dingabcdefghij012345", "service_id": "2000001", "group_template_id": "tpl-1"}
	if b.AppType != platforms.DingTalk || b.Status != "enabled" || !maps.Equal(b.Fields, want) {
		t.Fatalf("decoded %+v", b)
	}
	if !b.CreatedAt.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) || !b.UpdatedAt.Equal(time.Date(2026, 1, 2, 3, 4, 6, 5e8, time.UTC)) ||
		!b.KeyUpdatedAt.IsZero() {
		t.Fatalf("timestamps %v, %v, %v", b.CreatedAt, b.UpdatedAt, b.KeyUpdatedAt)
	}
}

func TestBindingRejectsMalformedFields(t *testing.T) {
	for body, want := range map[string]string{
		`{"app_type":7}`: `field "app_type": expected a string, got a number`,
		`{"app_type":"lark","app_id":"cli_1","status":["enabled"]}`:        `field "status": expected a string, got an array`,
		`{"app_type":"lark","created_at":"yesterday"}`:                     `field "created_at": "yesterday" is not a time in the form 2006-01-02T15:04:05.000Z`,
		`{"app_type":"lark","created_at":"2026-01-02T03:04:05Z"}`:          `field "created_at": "2026-01-02T03:04:05Z" is not a time in the form`,
		`{"app_type":"lark","updated_at":"2026-01-02T11:04:06.500+08:00"}`: `field "updated_at": "2026-01-02T11:04:06.500+08:00" is not a time in the form`,
		`{"app_type":"lark","app_id":{"id":1}}`:                            `field "app_id": expected a string, got an object`,
		`["lark"]`:                                                         "cannot unmarshal array",
	} {
		var b coc.Binding
		if err := json.Unmarshal([]byte(body), &b); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error containing %q", body, err, want)
		}
	}
}
