"""Word lists the name detector needs: given names (for transcripts without capital letters) and
words that are never names even when capitalized ("This is Great", "I'm Calling")."""

from __future__ import annotations

GIVEN_NAMES = frozenset("""
aaron abby abigail adam adrian aisha alan albert alex alexa alexander alexis alice alicia alisha allison alyssa
amanda amber amelia amy ana andre andrea andrew andy angela angelica anita ann anna anne annie anthony antonio april
arthur ashley audrey austin ava barbara becky ben benjamin bernard beth betty beverly bill billy blake bob bobby
bonnie brad bradley brandon brenda brendan brett brian brittany brooke bruce bryan caleb cameron camila carl carla
carlos carmen carol caroline carolyn carrie casey catherine cathy chad charles charlie charlotte chelsea cheryl chloe
chris christian christina christine christopher cindy claire clara claudia cody colin connor courtney craig crystal
curtis cynthia daisy dale dan dana daniel danielle danny darren dave david dawn dean debbie deborah debra denise
dennis derek diana diane diego dominic donald donna doris dorothy douglas dylan eddie edgar edith edward eileen
elaine eleanor elena elijah elizabeth ella ellen emily emma eric erica erik erin ethan eugene eva evan evelyn faith
felix fernando frances francis frank fred gabriel gabriela gail gary gavin george gerald gina gloria grace greg
gregory hailey hannah harold harry hazel heather hector helen henry holly howard hunter ian irene iris isaac
isabel isabella ivan jack jackie jacob jacqueline jake james jamie jan jane janet janice jared jasmine jason javier
cara jay jean jeff jeffrey jenna jennifer jenny jeremy jerry jesse jessica jesus jill jim jimmy joan joanne joe joel
john johnny jon jonathan jordan jorge jose joseph josh joshua joy joyce juan judith judy julia julian julie justin
kaitlyn karen kate katherine kathleen kathryn kathy katie kayla keith kelly ken kenneth kevin kim kimberly kirk
kristen kristin kyle larry laura lauren leah lee leo leon leonard leslie liam lillian lily linda lindsay lisa logan
lori louis lucas lucy luis luke lydia lynn madison malik marcus margaret maria marie marilyn mario marissa mark
martha martin marvin mary mason matt matthew maureen megan melanie melissa michael michelle miguel mike miles
miranda molly monica morgan nancy naomi natalie nathan neil nicholas nick nicole noah nora norma olivia omar oscar
owen pam pamela patricia patrick paul paula peggy peter phil philip phillip priya rachel ralph ramon randy raul ray
raymond rebecca reggie renee rhonda ricardo richard rick ricky riley rita rob robert roberto robin rodney roger
ronald rosa rose ruby russell ruth ryan sabrina sally sam samantha samuel sandra sara sarah scott sean sergio seth
shane shannon sharon shawn sheila shirley sierra simon sofia sophia stacy stanley stephanie stephen steve steven
sue susan sydney tammy tanya tara taylor teresa terry theresa thomas tiffany tim timothy tina todd tom tommy tony
tracy travis trevor troy tyler valerie vanessa vera veronica vicki victor victoria vincent violet virginia wade
walter wanda warren wayne wendy wesley whitney william willie wilson xavier yolanda yvonne zach zachary zoe
ahmed ali mohammed muhammad fatima wei li ming jun hui yan hao jie xin lin mei ling chen hiroshi yuki kenji
""".split())

# Words that follow "this is", "I'm", "it's" or a greeting and are not names, capitalized or not.
NOT_NAMES = frozenset("""
a an the this that these those it its it's is are was were be been being am i i'm im me my mine you your yours
he him his she her hers we us our they them their what which who whom whose where when why how all any both each
few more most other some such no nor not only own same so than too very just also still already yet again ever
and but or if because as until while of at by for with about against between into through during before after
above below to from up down in out on off over under here there then once now today tonight tomorrow yesterday
calling looking wondering trying hoping going getting having doing making taking asking checking interested
sorry sure okay ok fine good great well right correct yes yeah yep nope no hi hello hey thanks thank please
glad happy sad tired worried concerned confused frustrated upset afraid ready able unable new old current late
behind ahead done finished busy available free really actually basically honestly just kind sort like um uh er
mr mrs ms miss dr sir madam maam ma'am customer agent operator supervisor manager representative rep team member
account card loan payment balance bill statement number phone email address name date birthday social security
harbor lending bank credit union financial services insurance company corp inc llc ltd department office support
help service billing collections sales hardship dispute fraud claim policy plan premium quote rate apr fee fees
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december morning afternoon evening night week month year day time minute second
one two three four five six seven eight nine ten first last next previous every another something nothing
everything anything someone anyone everyone nobody somebody anybody everybody speaking here there there's
i'd i'll i've we're we've we'll you're you've you'll they're they've he's she's that's what's let's here's
don't can't won't isn't wasn't didn't doesn't couldn't wouldn't shouldn't back also
can could would will shall should must might do does did has have had get got need want let make please
jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
""".split())

# Words that end a run of name tokens after a strong cue ("my name is george smith and i ...").
NAME_STOPS = NOT_NAMES | frozenset("""
want wanted need needed would could should will can can't won't don't didn't i'd i'll i've got get have has had
do does did say said tell told call called live living lived moved move just wanted also
""".split())

# Organisation words: a capitalized phrase followed by one of these is a company, not a person.
ORG_WORDS = frozenset("""
lending bank bancorp financial credit union insurance services capital group corp corporation inc llc ltd
company co partners associates holdings trust mortgage loans cards
""".split())
