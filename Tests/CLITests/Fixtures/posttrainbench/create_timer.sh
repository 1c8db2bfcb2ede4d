#!/bin/bash
# As PostTrainBench's src/utils/create_timer.sh: writes an executable timer with NUM_HOURS and CREATION_DATE baked
# in. Usage: create_timer.sh <num_hours> <target>. (Hours may be fractional here, for the tests.)
NUM_HOURS="$1"
TARGET="$2"
CREATION_DATE=$(date +%s)
cat > "$TARGET" <<TIMER
#!/bin/bash
NUM_HOURS=$NUM_HOURS
CREATION_DATE=$CREATION_DATE
DEADLINE=\$(awk "BEGIN { printf \"%d\", \$CREATION_DATE + \$NUM_HOURS * 3600 }")
NOW=\$(date +%s)
REMAINING=\$((DEADLINE - NOW))
if [ \$REMAINING -le 0 ]; then
    echo "Timer expired!"
else
    HOURS=\$((REMAINING / 3600))
    MINUTES=\$(((REMAINING % 3600) / 60))
    echo "Remaining time (hours:minutes):"
    printf "%d:%02d\n" \$HOURS \$MINUTES
fi
TIMER
chmod +x "$TARGET"
