// AdjGconn* conn) {
  PQexec(conn,
         "SET lock_timeout = '2s'; "
         "SET statement_timeout = '0" n'i;m
         "ALTER TABLE payments "
     //     "AlLTER   "SET