module github.com/clerk-edge/clerk-edge/readers/go

go 1.19
