package hwhttp

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// ParseEndpoint checks that an endpoint is an absolute http(s) URL without query or fragment:
// a Huawei Cloud service's (COC, IAM, the metadata service, whose address is plain http). What
// it carries is signed, not secret. Its errors show credentials embedded in the URL
// (user:password@) as ***, which url.Parse's own errors would quote.
func ParseEndpoint(endpoint string) (*url.URL, error) {
	shown := withoutUserinfo(endpoint)
	u, err := url.Parse(strings.TrimSuffix(endpoint, "/"))
	if urlErr := (*url.Error)(nil); errors.As(err, &urlErr) {
		err = urlErr.Err // without the URL it quotes
	}
	switch {
	case err != nil:
		return nil, fmt.Errorf("endpoint %q is not a valid URL: %w", shown, err)
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("endpoint %q must start with https:// (or http:// for a local simulator)", shown)
	case u.Host == "":
		return nil, fmt.Errorf("endpoint %q has no host", shown)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return nil, fmt.Errorf("endpoint %q must not contain credentials, a query or a fragment", shown)
	}
	return u, nil
}

// ParseHTTPSEndpoint checks the base URL of a service that secrets are sent to as they are (a
// chat platform's token call): ParseEndpoint's rules, and https:// unless the host is a loopback
// address (127.0.0.0/8, ::1, localhost), which the simulator and tests use. Over plain http
// anywhere else, the secrets would cross the network in clear text.
func ParseHTTPSEndpoint(endpoint string) (*url.URL, error) {
	u, err := ParseEndpoint(endpoint)
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

// withoutUserinfo replaces the "user:password" before the host of a URL with ***.
func withoutUserinfo(rawURL string) string {
	i := strings.Index(rawURL, "//")
	if i < 0 {
		return rawURL
	}
	authority := rawURL[i+2:]
	if end := strings.IndexAny(authority, "/?#"); end >= 0 {
		authority = authority[:end]
	}
	at := strings.LastIndex(authority, "@")
	if at <= 0 {
		return rawURL
	}
	return rawURL[:i+2] + Redacted + rawURL[i+2+at:]
}
