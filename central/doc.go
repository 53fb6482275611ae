// Package central is the central server's store, on SQLite or PostgreSQL
// with the same queries: the radicados every station sends, their audit
// events and documents (a content-addressed file store beside the
// database), the stations and their tokens, and who may see what
// (access.go). Its schema is versioned by the numbered migrations under
// migrations/.
package central
