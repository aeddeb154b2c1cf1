package appcheck_test

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// A platform's endpoint must be https:// (hwhttp.ParseHTTPSEndpoint): the secrets travel in the
// token call as they are.
func TestNewRefusesAPlainHTTPEndpoint(t *testing.T) {
	if _, err := appcheck.New(appcheck.Config{Endpoints: map[platforms.AppType]string{platforms.Lark: "http://open.feishu.cn"}}); err == nil ||
		!strings.Contains(err.Error(), "Lark") || !strings.Contains(err.Error(), "must start with https://") {
		t.Errorf("New accepted a plain-http endpoint: %v", err)
	}
}

// The query is how WeCom's secret travels; a url.Error quotes it, WithoutQuery does not.
func TestWithoutQuery(t *testing.T) {
	err := &url.Error{Op: "Get", URL: "https://h/p?corpsecret=" + url.QueryEscape(secret), Err: io.ErrUnexpectedEOF}
	got := hwhttp.WithoutQuery(fmt.Errorf("wrapped: %w", err)).Error()
	if got != `Get "https://h/p?***": unexpected EOF` {
		t.Fatalf("got %q", got)
	}
	if plain := errors.New("plain"); !errors.Is(hwhttp.WithoutQuery(plain), plain) {
		t.Fatal("another error was changed")
	}
}
