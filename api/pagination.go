package api

import (
	"strconv"

	"github.com/creditflow/creditflow/store"
)

// Page is a list answer: {"items": [...], "next_cursor": "…"}, with
// next_cursor absent on the last page.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// defaultPageSize is the document's default limit; the document bounds it.
const defaultPageSize = 50

func badCursor() error {
	return badRequest(FieldProblem{"cursor", "is not a cursor this API returned"})
}

// pageParams reads a cursor over rows in (created_at, id) order.
func pageParams(limit *int, cursor *string) (int, *store.Cursor, error) {
	after, err := store.DecodeCursor(deref(cursor))
	if err != nil || (after != nil && !isText(after.ID)) {
		return 0, nil, badCursor()
	}
	return pageSize(limit), after, nil
}

func pageSize(limit *int) int {
	if limit == nil {
		return defaultPageSize
	}
	return *limit
}

func pageOf[T any](items []T, next *store.Cursor) Page[T] {
	p := Page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if next != nil {
		p.NextCursor = next.Encode()
	}
	return p
}

// idPageParams reads a cursor over rows in id order (outbox, timeline).
func idPageParams(limit *int, cursor *string) (int, int64, error) {
	var after int64
	if s := deref(cursor); s != "" {
		var err error
		after, err = strconv.ParseInt(s, 10, 64)
		if err != nil || after < 0 {
			return 0, 0, badCursor()
		}
	}
	return pageSize(limit), after, nil
}

func idPageOf[T any](items []T, next int64) Page[T] {
	p := Page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if next != 0 {
		p.NextCursor = strconv.FormatInt(next, 10)
	}
	return p
}
