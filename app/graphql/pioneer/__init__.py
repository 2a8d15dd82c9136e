"""Pioneer posts (党员示范岗 / 党员责任区): designation, follow-ups, early ends and corrections."""
