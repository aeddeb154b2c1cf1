package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// tflogLogger routes the clients' and the credential chain's logs to tflog, with the caller's
// context so that the masks set up by maskLogs apply to them too. It also masks, on every line,
// every secret the registry knows by then: credentials obtained in the middle of a call are
// unknown to a context built before it.
type tflogLogger struct {
	secrets *hwhttp.Secrets
}

func (l tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(maskLogs(ctx, l.secrets), msg, fields)
}

func (l tflogLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.Warn(maskLogs(ctx, l.secrets), msg, fields)
}

// maskLogs replaces every secret the registry knows, in each of its spellings, with *** wherever
// it would appear in a log message or field written with the returned context.
func maskLogs(ctx context.Context, secrets *hwhttp.Secrets) context.Context {
	spellings := secrets.Scrubber()
	if len(spellings) == 0 {
		return ctx
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, spellings...)
	return tflog.MaskMessageStrings(ctx, spellings...)
}
