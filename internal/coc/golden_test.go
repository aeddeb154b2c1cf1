package coc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
	"github.com/cocops/terraform-provider-coc/internal/testkit"
)

// The golden files in testdata/golden are also what the simulator's tests pin its output to
// (see internal/simulator/golden_test.go): the client encodes and decodes exactly those bytes.

func TestRequestsEncodeToGolden(t *testing.T) {
	cases := []struct {
		file    string
		appType platforms.AppType
		method  simulator.Method
		req     coc.BindingRequest
	}{
		{"request_create_wecom.json", platforms.WeCom, simulator.Create, coc.BindingRequest{
			Fields:  map[string]string{"enterprise_id": "ww0123456789abcdef", "service_id": "1000002"},
			Secrets: map[string]string{"enterprise_key": "golden-enterprise-key", "address_book_key": "golden-address-book-key"},
		}},
		{"request_create_dingtalk.json", platforms.DingTalk, simulator.Create, coc.BindingRequest{
			Fields:  map[string]string{"client_id": "dingabcdefghij012345", "group_template_id": "tpl-0001", "robot_id": "robot-0001", "service_id": "2000001"},
			Secrets: map[string]string{"client_secret": "golden-client-secret"},
		}},
		{"request_create_lark.json", platforms.Lark, simulator.Create, coc.BindingRequest{
			Fields:  map[string]string{"app_id": "cli_a1b2c3d4e5f6a7b8", "service_id": "cli_a1b2c3d4e5f6a7b8"},
			Secrets: map[string]string{"app_secret": "golden-app-secret"},
		}},
		{"request_update_lark_without_secret.json", platforms.Lark, simulator.Update, coc.BindingRequest{
			Fields:  map[string]string{"app_id": "cli_a1b2c3d4e5f6a7b8", "service_id": "service-2"},
			Secrets: map[string]string{},
		}},
	}
	for _, tc := range cases {
		got, err := json.Marshal(tc.req)
		if err != nil {
			t.Fatal(err)
		}
		if want := testkit.Golden(t, testkit.GoldenDir, tc.file); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", tc.file, got, want)
		}
		// The decoder the simulator uses reads it back to the same request.
		p, err := platforms.For(tc.appType)
		if err != nil {
			t.Fatal(err)
		}
		decoded, problems := simulator.DecodeBindingRequest(p, tc.method, got)
		if problems != nil {
			t.Fatalf("%s: %v", tc.file, problems)
		}
		if !reflect.DeepEqual(decoded, tc.req) {
			t.Errorf("%s: decoded %+v, want %+v", tc.file, decoded, tc.req)
		}
	}
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestResponsesDecodeFromGolden(t *testing.T) {
	serve := func(file string, status int) *coc.Client {
		return rawClient(t, answer(status, "application/json", string(testkit.Golden(t, testkit.GoldenDir, file))))
	}
	ctx := context.Background()

	got, err := serve("response_update_lark.json", 200).GetBinding(ctx, platforms.Lark)
	if err != nil {
		t.Fatal(err)
	}
	want := &coc.Binding{
		AppType: platforms.Lark, Fields: map[string]string{"app_id": "cli_a1b2c3d4e5f6a7b8", "service_id": "service-2"},
		Status: "enabled", CreatedAt: ts("2026-01-02T03:04:08Z"), UpdatedAt: ts("2026-01-02T03:04:12Z"), KeyUpdatedAt: ts("2026-01-02T03:04:08Z"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded %+v\nwant    %+v", got, want)
	}
	created, err := serve("response_create_lark.json", 201).GetBinding(ctx, platforms.Lark)
	if err != nil || created.IdempotencyKey != "golden-idempotency-key-0001" {
		t.Fatalf("decoded %+v, %v: want the key of the create that made it", created, err)
	}

	dingtalk, err := serve("response_create_dingtalk.json", 201).GetBinding(ctx, platforms.DingTalk)
	if err != nil {
		t.Fatal(err)
	}
	if dingtalk.Identifier() != "dingabcdefghij012345" || dingtalk.Fields["group_template_id"] != "tpl-0001" || dingtalk.Fields["robot_id"] != "robot-0001" {
		t.Fatalf("decoded %+v", dingtalk)
	}

	page, err := serve("response_list_page1.json", 200).ListBindings(ctx, coc.ListOptions{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 3 || len(page.List) != 2 || page.List[0].Identifier() != "ww0123456789abcdef" || page.List[1].AppType != platforms.DingTalk {
		t.Fatalf("decoded page %+v", page)
	}

	// A binding encodes back to the simulator's bytes.
	encoded, err := json.Marshal(simulator.Success(*got))
	if err != nil {
		t.Fatal(err)
	}
	if want := testkit.Golden(t, testkit.GoldenDir, "response_update_lark.json"); !bytes.Equal(encoded, want) {
		t.Fatalf("re-encoded:\n%s\nwant:\n%s", encoded, want)
	}

	update := func(c *coc.Client) error {
		_, err := c.UpdateBinding(ctx, platforms.Lark, coc.BindingRequest{})
		return err
	}
	create := func(c *coc.Client) error {
		_, err := c.CreateBinding(ctx, platforms.Lark, coc.BindingRequest{})
		return err
	}
	get := func(c *coc.Client) error { _, err := c.GetBinding(ctx, platforms.Lark); return err }
	remove := func(c *coc.Client) error { return c.DeleteBinding(ctx, platforms.Lark, "cli_b8a7f6e5d4c3b2a1") }
	errorCases := []struct {
		file   string
		status int
		call   func(*coc.Client) error
		kind   error
		code   string
	}{
		{"response_error_conflict.json", 409, create, coc.ErrAlreadyBound, coc.CodeAlreadyBound},
		{"response_error_key_reused.json", 422, create, coc.ErrAlreadyBound, coc.CodeKeyReused},
		{"response_error_immutable.json", 400, update, coc.ErrOtherAppBound, coc.CodeImmutableField},
		{"response_error_other_app_bound.json", 412, remove, coc.ErrOtherAppBound, coc.CodeOtherAppBound},
		{"response_error_validation.json", 400, update, coc.ErrValidation, coc.CodeInvalidField},
		{"response_error_not_bound.json", 404, update, coc.ErrNotBound, coc.CodeNotBound},
		{"response_error_signature.json", 401, get, coc.ErrAuth, hwhttp.CodeBadSignature},
		{"response_error_not_published.json", 404, get, coc.ErrNotServed, hwhttp.CodeNotPublished},
	}
	for _, tc := range errorCases {
		err := tc.call(serve(tc.file, tc.status))
		var apiErr *coc.APIError
		if !errors.As(err, &apiErr) || !errors.Is(err, tc.kind) || apiErr.Code != tc.code {
			t.Errorf("%s: got %v, want %v with code %s", tc.file, err, tc.kind, tc.code)
		}
	}
	_, err = serve("response_error_validation.json", 400).UpdateBinding(ctx, platforms.Lark, coc.BindingRequest{})
	var apiErr *coc.APIError
	if errors.As(err, &apiErr); len(apiErr.Details) != 4 || apiErr.Details[2] != (coc.FieldError{Field: "region", Reason: "is not a field of a lark app"}) {
		t.Fatalf("details = %+v", apiErr.Details)
	}
}
