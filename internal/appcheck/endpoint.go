package appcheck

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// ParseEndpoint checks a platform's base URL: an absolute https:// URL without credentials,
// query or fragment, or http:// on a loopback address (127.0.0.0/8, ::1, localhost), which the
// simulator and tests use. Over plain http anywhere else, the secrets would cross the network in
// clear text.
func ParseEndpoint(endpoint string) (*url.URL, error) {
	u, err := hwhttp.ParseEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return nil, fmt.Errorf("endpoint %q must start with https://: the secrets would cross the network in clear text "+
			"(http:// is accepted on a loopback address only, such as 127.0.0.1 for the simulator)", u.Redacted())
	}
	return u, nil
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
