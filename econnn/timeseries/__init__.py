"""Time series: windows, sequence networks and the forecaster."""
