module github.com/xbahn-go/xbahn

go 1.26
